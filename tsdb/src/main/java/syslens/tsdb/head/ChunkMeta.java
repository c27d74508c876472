package syslens.tsdb.head;

import static java.util.Objects.requireNonNull;

/**
 * One encoded XOR chunk and the time range it covers. Closed chunks are immutable and shared; the
 * open chunk is handed out as a copy. This is what a future block writer persists.
 */
public record ChunkMeta(long minTime, long maxTime, byte[] data) {
  public ChunkMeta {
    requireNonNull(data, "data");
  }

  boolean overlaps(long mint, long maxt) {
    return minTime <= maxt && maxTime >= mint;
  }
}
