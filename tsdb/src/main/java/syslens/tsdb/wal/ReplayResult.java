package syslens.tsdb.wal;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

/**
 * What WAL replay read: segments, records and bytes replayed, and every damaged stretch skipped.
 *
 * @param problems empty when every segment was read to its end without damage
 */
public record ReplayResult(int segments, long records, long bytes, List<Problem> problems) {
  public ReplayResult {
    problems = List.copyOf(problems);
  }

  /** Bytes of damaged records skipped over (not counting torn tails truncated away). */
  public long skippedBytes() {
    return problems.stream().filter(p -> !p.tail()).mapToLong(Problem::length).sum();
  }

  /**
   * A damaged stretch of a segment: where it starts, how long it is, why it was rejected, and
   * whether it ran to the end of the segment (a torn tail, truncated away on open).
   */
  public record Problem(Path segment, long offset, long length, String reason, boolean tail) {
    public Problem {
      requireNonNull(segment, "segment");
      requireNonNull(reason, "reason");
    }
  }
}
