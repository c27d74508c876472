package syslens.tsdb.wal;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * What WAL replay read: segments and records, and the problem that stopped it, if any.
 *
 * @param problem null when every segment was read to its end
 */
public record ReplayResult(int segments, long records, long bytes, Problem problem) {

  /** A torn or corrupt record: where it starts, why it was rejected, and what was done. */
  public record Problem(Path segment, long offset, String reason, boolean lastSegment,
      long droppedBytes) {
    public Problem {
      requireNonNull(segment, "segment");
      requireNonNull(reason, "reason");
    }
  }

}
