package syslens.tsdb.block;

/** Where one chunk of a series lives in a block and the time range it covers (inclusive). */
public record ChunkRef(long minTime, long maxTime, long ref) {
  public boolean overlaps(long mint, long maxt) {
    return minTime <= maxt && maxTime >= mint;
  }
}
