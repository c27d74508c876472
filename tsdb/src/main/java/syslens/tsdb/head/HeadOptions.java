package syslens.tsdb.head;

import static java.util.Objects.requireNonNull;

import java.time.Clock;

/**
 * Settings of a {@link Head}.
 *
 * @param chunkSize samples per chunk before a new one is cut (Prometheus: 120)
 * @param chunkRange chunks are also cut at every multiple of this (the block range), so a block
 *     cut never splits a chunk
 * @param maxSeries most series the head holds; new ones beyond are refused (LIMIT_EXCEEDED)
 * @param maxSeriesPerSource most series one source (e.g. one agent) may create
 * @param maxFutureMillis samples newer than the clock plus this are refused (OUT_OF_BOUNDS), so a
 *     clock set ahead cannot make a series refuse everything after it
 * @param outOfOrderWindowMillis samples up to this much older than a series' newest are still
 *     taken (kept beside the in-order chunks, merged on read); 0 (default) refuses them
 * @param clock the clock future samples are judged by
 */
public record HeadOptions(int chunkSize, long chunkRange, int maxSeries, int maxSeriesPerSource,
    long maxFutureMillis, long outOfOrderWindowMillis, Clock clock, int expectedSeries) {
  /** Largest out-of-order window accepted. */
  public static final long MAX_OUT_OF_ORDER_WINDOW = 3600_000L;
  public static final long DEFAULT_CHUNK_RANGE = 2 * 3600_000L;

  public HeadOptions {
    requireNonNull(clock, "clock");
    if (chunkSize < 1 || chunkSize > 0xffff) {
      throw new IllegalArgumentException("chunkSize: " + chunkSize + " (expected: 1..65535)");
    }
    if (chunkRange < 1000) {
      throw new IllegalArgumentException("chunkRange: " + chunkRange + " ms (expected: >= 1000)");
    }
    if (maxSeries < 1) {
      throw new IllegalArgumentException("maxSeries: " + maxSeries + " (expected: >= 1)");
    }
    if (maxSeriesPerSource < 1) {
      throw new IllegalArgumentException("maxSeriesPerSource: " + maxSeriesPerSource + " (expected: >= 1)");
    }
    if (outOfOrderWindowMillis < 0 || outOfOrderWindowMillis > MAX_OUT_OF_ORDER_WINDOW) {
      throw new IllegalArgumentException("outOfOrderWindow: " + outOfOrderWindowMillis
          + " ms (expected: 0.." + MAX_OUT_OF_ORDER_WINDOW + ")");
    }
    if (expectedSeries < 0) {
      throw new IllegalArgumentException("expectedSeries: " + expectedSeries + " (expected: >= 0)");
    }
    if (maxFutureMillis < 0) {
      throw new IllegalArgumentException("maxFutureMillis: " + maxFutureMillis + " (expected: >= 0)");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link HeadOptions}; defaults: 120 samples, 2 h, no limits, no future bound, UTC. */
  public static final class Builder {
    private int chunkSize = 120;
    private long chunkRange = DEFAULT_CHUNK_RANGE;
    private int maxSeries = Integer.MAX_VALUE;
    private int maxSeriesPerSource = Integer.MAX_VALUE;
    private long maxFutureMillis = Long.MAX_VALUE / 4;
    private long outOfOrderWindowMillis;
    private Clock clock = Clock.systemUTC();
    private int expectedSeries;

    private Builder() {}

    public Builder outOfOrderWindowMillis(long ms) {
      outOfOrderWindowMillis = ms;
      return this;
    }

    public Builder chunkSize(int v) {
      chunkSize = v;
      return this;
    }

    public Builder chunkRange(long ms) {
      chunkRange = ms;
      return this;
    }

    public Builder maxSeries(int v) {
      maxSeries = v;
      return this;
    }

    public Builder maxSeriesPerSource(int v) {
      maxSeriesPerSource = v;
      return this;
    }

    public Builder maxFutureMillis(long ms) {
      maxFutureMillis = ms;
      return this;
    }

    /** How many series the head is about to load (sizes its maps once; 0: unknown). */
    public Builder expectedSeries(int n) {
      expectedSeries = n;
      return this;
    }

    public Builder clock(Clock c) {
      clock = c;
      return this;
    }

    public HeadOptions build() {
      return new HeadOptions(chunkSize, chunkRange, maxSeries, maxSeriesPerSource, maxFutureMillis,
          outOfOrderWindowMillis, clock, expectedSeries);
    }
  }
}
