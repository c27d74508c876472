package syslens.tsdb;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.Querier;
import syslens.storage.Storage;
import syslens.tsdb.head.CommitLog;
import syslens.tsdb.head.Head;
import syslens.tsdb.head.MemSeries;
import syslens.tsdb.wal.Records;
import syslens.tsdb.wal.ReplayResult;
import syslens.tsdb.wal.Wal;

/**
 * The embedded time-series database: an in-memory {@link Head} made durable by a write-ahead log
 * under {@code <dir>/wal/}. Opening replays the WAL.
 *
 * <p>Seam for blocks: today a querier reads only the head. Persistent blocks will live beside
 * {@code wal/} in {@code <dir>}; {@link #querier} will then merge block queriers with the head's,
 * and a compactor will cut closed head chunks into blocks, truncate the head and checkpoint the WAL.
 */
public final class Tsdb implements Storage {
  /** About 1,000 hosts of 500 series each, four times over. */
  public static final int DEFAULT_MAX_SERIES = 2_000_000;
  private final Head head;
  private final Wal wal;
  private final Clock clock;
  private final long replayedSamples;
  private final long replayMillis;

  private Tsdb(Head head, Wal wal, Clock clock, long replayedSamples, long replayMillis) {
    this.head = head;
    this.wal = wal;
    this.clock = clock;
    this.replayedSamples = replayedSamples;
    this.replayMillis = replayMillis;
  }

  public static Builder builder(Path dir) {
    return new Builder(requireNonNull(dir, "dir"));
  }

  @Override
  public Appender appender() {
    return head.appender();
  }

  @Override
  public Querier querier(long mint, long maxt) {
    return head.querier(mint, maxt);
  }

  /** Counters and the head's time range (Long.MAX_VALUE/Long.MIN_VALUE while empty). */
  public Stats stats() {
    ReplayResult r = wal.replayResult();
    return new Stats(head.numSeries(), head.samplesAppended(), head.rejectedOutOfOrder(),
        head.rejectedDuplicate(), head.rejectedInvalid(), head.rejectedLimit(), wal.bytesWritten(), wal.fsyncs(),
        head.minTime(), head.maxTime(), r.records(), replayedSamples, r.problem() == null ? 0 : 1,
        replayMillis);
  }

  /** The clock this database was built with. */
  public Clock clock() {
    return clock;
  }

  /** Flushes and closes the WAL; queriers keep working on memory, commits fail afterwards. */
  @Override
  public void close() {
    try {
      wal.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing WAL " + wal.currentSegment(), e);
    }
  }

  /**
   * Counters of a {@link Tsdb}. Rejections are counted when {@link Appender#append} returns them
   * and when a commit drops a sample that a concurrent commit made out of order or duplicate.
   */
  public record Stats(
      int numSeries,
      long samplesAppended,
      long rejectedOutOfOrder,
      long rejectedDuplicate,
      long rejectedInvalid,
      long rejectedSeriesLimit,
      long walBytesWritten,
      long walFsyncs,
      long headMinTime,
      long headMaxTime,
      long walReplayedRecords,
      long walReplayedSamples,
      int walReplayProblems,
      long walReplayMillis) {}

  /** Options of a {@link Tsdb}. */
  public static final class Builder {
    private final Path dir;
    private Clock clock = Clock.systemUTC();
    private long walSegmentSize = Wal.DEFAULT_SEGMENT_SIZE;
    private int chunkSize = 120;
    private int maxSeries = DEFAULT_MAX_SERIES;

    private Builder(Path dir) {
      this.dir = dir;
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Bytes after which the WAL starts a new segment; default 128 MiB. */
    public Builder walSegmentSize(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("walSegmentSize: " + bytes + " (expected: >= 1024)");
      }
      this.walSegmentSize = bytes;
      return this;
    }

    /** Samples per chunk before the head cuts a new one; default 120 as in Prometheus. */
    public Builder chunkSize(int samples) {
      if (samples < 1 || samples > 0xffff) {
        throw new IllegalArgumentException("chunkSize: " + samples + " (expected: 1..65535)");
      }
      this.chunkSize = samples;
      return this;
    }

    /**
     * Most series the head holds; samples that would create more are refused with
     * {@code LIMIT_EXCEEDED} (bounded memory against a cardinality explosion). Default 2,000,000.
     */
    public Builder maxSeries(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxSeries: " + n + " (expected: >= 1)");
      }
      this.maxSeries = n;
      return this;
    }

    /**
     * Opens the database: replays {@code <dir>/wal/} into a fresh head.
     *
     * @throws UncheckedIOException when the directory cannot be read or written
     */
    public Tsdb build() {
      long start = clock.millis();
      HeadRef ref = new HeadRef();
      AtomicLong samples = new AtomicLong();
      Wal wal;
      try {
        // The head needs the WAL as its log, and the WAL replays into the head: tie the knot.
        wal = Wal.open(dir.resolve("wal"), walSegmentSize, new Records.Handler() {
          @Override
          public void series(long seriesRef, Labels labels) {
            ref.head().replaySeries(seriesRef, labels);
          }

          @Override
          public void sample(long seriesRef, long t, double v) {
            if (ref.head().replaySample(seriesRef, t, v)) {
              samples.incrementAndGet();
            }
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException("opening TSDB in " + dir, e);
      }
      ref.log.target = new WalCommitLog(wal);
      return new Tsdb(ref.head(), wal, clock, samples.get(), clock.millis() - start);
    }

    /** Builds the head before the WAL exists; its log forwards to the WAL once opened. */
    private final class HeadRef {
      final ForwardingLog log = new ForwardingLog();
      final Head head = Head.create(chunkSize, maxSeries, log);

      Head head() {
        return head;
      }
    }
  }

  /** The head's log: nothing during replay, the WAL afterwards. */
  private static final class ForwardingLog implements CommitLog {
    volatile CommitLog target = CommitLog.NONE;

    @Override
    public long write(List<MemSeries> newSeries, MemSeries[] series, long[] ts, double[] vs, int n)
        throws IOException {
      return target.write(newSeries, series, ts, vs, n);
    }

    @Override
    public void sync(long position) throws IOException {
      target.sync(position);
    }
  }
}
