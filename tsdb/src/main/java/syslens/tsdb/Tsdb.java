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
import syslens.tsdb.block.Blocks;
import syslens.tsdb.head.Checkpoint;
import syslens.tsdb.head.CommitLog;
import syslens.tsdb.head.Head;
import syslens.tsdb.head.HeadOptions;
import syslens.tsdb.head.MemSeries;
import syslens.tsdb.wal.Records;
import syslens.tsdb.wal.ReplayResult;
import syslens.tsdb.wal.Wal;
import syslens.tsdb.wal.WalChannels;

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
  /** Samples further than this past the clock are refused (OUT_OF_BOUNDS). */
  public static final long DEFAULT_MAX_FUTURE_MILLIS = 10 * 60_000L;
  private final Head head;
  private final Wal wal;
  private final Blocks blocks;
  private final Maintenance maintenance;
  private final Checkpoints checkpoints;
  private final java.util.concurrent.ScheduledExecutorService background;
  private final Object checkpointLock = new Object();
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final Clock clock;
  private final long replayedSamples;
  private final long replayMillis;

  private Tsdb(Head head, Wal wal, Blocks blocks, Maintenance maintenance, Checkpoints checkpoints,
      java.time.Duration checkpointInterval, java.time.Duration maintenanceInterval, Clock clock,
      long replayedSamples, long replayMillis) {
    this.head = head;
    this.wal = wal;
    this.blocks = blocks;
    this.maintenance = maintenance;
    this.checkpoints = checkpoints;
    if (!checkpointInterval.isZero()) {
      this.background = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "syslens-tsdb-checkpoint");
        t.setDaemon(true);
        return t;
      });
      long ms = checkpointInterval.toMillis();
      background.scheduleWithFixedDelay(this::checkpointQuietly, ms, ms,
          java.util.concurrent.TimeUnit.MILLISECONDS);
      long m = maintenanceInterval.toMillis();
      background.scheduleWithFixedDelay(this::maintain, m, m, java.util.concurrent.TimeUnit.MILLISECONDS);
    } else {
      this.background = null;
    }
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
  public Appender appender(String source) {
    return head.appender(source);
  }

  @Override
  public Labels stored(Labels labels) {
    return head.stored(requireNonNull(labels, "labels"));
  }

  /**
   * Why this database cannot take or promise writes right now (the WAL's disk is full, an fsync
   * failed and it is recovering, or it stopped for good), or null when healthy. Servers report it
   * on their readiness check and to writers.
   */
  public String problem() {
    return wal.problem();
  }

  /** The head merged with every block (and rollup tier) overlapping [mint, maxt]. */
  @Override
  public Querier querier(long mint, long maxt) {
    Querier h = head.querier(mint, maxt);
    if (blocks.blocks().isEmpty() || mint > maxt) {
      return h;
    }
    return syslens.tsdb.block.MergingQuerier.of(List.of(h, blocks.querier(mint, maxt)));
  }

  /**
   * One round of background work now: cut complete head ranges into blocks (then truncate the
   * head and checkpoint, so the WAL shrinks), compact blocks, apply retention. The background
   * thread runs the same every {@link Builder#maintenanceInterval}.
   */
  public void maintain() {
    synchronized (checkpointLock) {
      int before = maintenance.headCuts();
      maintenance.run();
      if (maintenance.headCuts() != before) {
        checkpointQuietly();
      }
    }
  }

  /**
   * Writes everything the head holds into blocks (the last, incomplete range too), compacts and
   * checkpoints twice, so the WAL the blocks cover is deleted: the data directory then holds
   * only blocks. Samples older than the newest block are refused afterwards (OUT_OF_BOUNDS), so
   * this is for a server that is stopped ({@code syslens admin compact}), before archiving a
   * data directory or measuring its size. Returns the blocks written from the head.
   */
  public int flushHead() throws IOException {
    synchronized (checkpointLock) {
      int cut = maintenance.cutHead(true);
      maintenance.run();
      checkpoint();
      if (head.numSeries() == 0) {
        // Everything the WAL held is in durable blocks now: no older checkpoint is needed to
        // recover from a damaged newest one, so the log before the new segment can go.
        wal.deleteSegmentsBefore(wal.cut());
        checkpoints.keepNewestOnly();
      } else {
        checkpoint();
      }
      return cut;
    }
  }

  /** Blocks per tier (resolution 0 = raw) with their bytes, series and samples. */
  public List<Blocks.TierStats> blockStats() {
    return blocks.tierStats();
  }

  /** Blocks found damaged at open (reported and skipped). */
  public List<Blocks.LoadFailure> blockFailures() {
    return blocks.failures();
  }

  /** The last background-maintenance error, or null. */
  public String maintenanceProblem() {
    return maintenance.lastError();
  }

  /** Counters and the head's time range (Long.MAX_VALUE/Long.MIN_VALUE while empty). */
  public Stats stats() {
    ReplayResult r = wal.replayResult();
    return new Stats(head.numSeries(), head.samplesAppended(), head.rejectedOutOfOrder(),
        head.rejectedDuplicate(), head.rejectedInvalid(), head.rejectedLimit(),
        head.rejectedSourceLimit(), head.rejectedOutOfBounds(), head.outOfOrderAppended(),
        head.lostSamples(),
        wal.bytesWritten(), wal.fsyncs(), wal.writeErrors(), wal.syncErrors(),
        head.minTime(), head.maxTime(), r.records(), replayedSamples, r.problems().size(),
        r.skippedBytes(), head.replayDropped(), replayMillis);
  }

  /** The clock this database was built with. */
  public Clock clock() {
    return clock;
  }

  /**
   * Writes a checkpoint of the head (its chunks as of a new WAL segment) and deletes the WAL
   * segments the older kept checkpoint covers, so restart time stays bounded. Commits pause only
   * while the series' chunk lists are copied. Returns the series written.
   */
  public int checkpoint() throws IOException {
    synchronized (checkpointLock) {
      return checkpoints.write(head, wal);
    }
  }

  /**
   * A consistent online snapshot into {@code target} (which must not exist): a fresh checkpoint,
   * hard-linked where the file system allows, else copied. Opening a Tsdb on {@code target} gives
   * every sample committed before this call. Ingest goes on meanwhile. Returns the files written.
   */
  public List<Path> snapshot(Path target) throws IOException {
    requireNonNull(target, "target");
    synchronized (checkpointLock) {
      checkpoints.write(head, wal);
      Path newest = checkpoints.list().get(0);
      java.nio.file.Files.createDirectories(target.resolve("wal"));
      List<Path> out = new java.util.ArrayList<>();
      out.add(linkOrCopy(newest, target.resolve(newest.getFileName())));
      for (syslens.tsdb.block.Block b : blocks.blocks()) { // immutable: hard links are consistent
        Path src = blocks.dir().resolve(b.meta().id());
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(src)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            Path dst = target.resolve("blocks").resolve(b.meta().id()).resolve(src.relativize(f).toString());
            if (java.nio.file.Files.isDirectory(f)) {
              java.nio.file.Files.createDirectories(dst);
            } else {
              out.add(linkOrCopy(f, dst));
            }
          }
        }
      }
      return out;
    }
  }

  private static Path linkOrCopy(Path src, Path dst) throws IOException {
    java.nio.file.Files.createDirectories(dst.getParent());
    try {
      java.nio.file.Files.createLink(dst, src);
    } catch (IOException | UnsupportedOperationException e) {
      java.nio.file.Files.copy(src, dst);
    }
    return dst;
  }

  private void checkpointQuietly() {
    try {
      checkpoint();
    } catch (IOException | RuntimeException e) {
      Checkpoints.LOG.log(System.Logger.Level.ERROR, "TSDB checkpoint failed (the WAL keeps"
          + " everything; restart takes longer): " + e.getMessage(), e);
    }
  }

  /**
   * With automatic maintenance on: cuts complete head ranges into blocks and checkpoints (so the
   * next start is fast); then flushes and closes the WAL. Queriers keep working on memory,
   * commits fail afterwards. Closing again does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return; // idempotent: a second close must not checkpoint a closed WAL
    }
    if (background != null) {
      background.shutdownNow();
    }
    if (background != null && wal.problem() == null) {
      synchronized (checkpointLock) {
        try {
          maintenance.cutHead(); // complete ranges leave the head as blocks: a smaller checkpoint
        } catch (IOException | RuntimeException e) {
          Checkpoints.LOG.log(System.Logger.Level.ERROR, "cutting the head on close failed (the"
              + " checkpoint keeps it): " + e.getMessage(), e);
        }
        checkpointQuietly();
      }
    }
    blocks.close();
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
      long rejectedSourceLimit,
      long rejectedOutOfBounds,
      /** Samples taken out of order within the out-of-order window. */
      long outOfOrderAppended,
      /** Samples of commits whose fsync failed (never acknowledged, dropped from memory). */
      long lostSamples,
      long walBytesWritten,
      long walFsyncs,
      long walWriteErrors,
      long walSyncErrors,
      long headMinTime,
      long headMaxTime,
      long walReplayedRecords,
      long walReplayedSamples,
      /** Damaged stretches skipped (or torn tails cut) during replay. */
      int walReplayProblems,
      long walReplaySkippedBytes,
      /** Replayed samples dropped: their series record was lost, or they were out of order. */
      long walReplayDroppedSamples,
      long walReplayMillis) {}

  /** Options of a {@link Tsdb}. */
  public static final class Builder {
    private final Path dir;
    private Clock clock = Clock.systemUTC();
    private long walSegmentSize = Wal.DEFAULT_SEGMENT_SIZE;
    private int chunkSize = 120;
    private int maxSeries = DEFAULT_MAX_SERIES;
    private int maxSeriesPerSource = Integer.MAX_VALUE;
    private long maxFutureMillis = DEFAULT_MAX_FUTURE_MILLIS;
    private long chunkRange = HeadOptions.DEFAULT_CHUNK_RANGE;
    private long outOfOrderWindow;
    private WalChannels walChannels = WalChannels.DEFAULT;
    private java.time.Duration checkpointInterval = java.time.Duration.ofMinutes(15);
    private java.time.Duration maintenanceInterval = java.time.Duration.ofMinutes(1);
    private syslens.tsdb.retention.Retention.Settings retention =
        syslens.tsdb.retention.Retention.Settings.defaults();

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
     * Most series one source (see {@link Tsdb#appender(String)}, e.g. one agent) may create, so
     * one misbehaving source cannot exhaust {@link #maxSeries} for everyone; default unlimited.
     */
    public Builder maxSeriesPerSource(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxSeriesPerSource: " + n + " (expected: >= 1)");
      }
      this.maxSeriesPerSource = n;
      return this;
    }

    /** Samples newer than the clock plus this are refused with OUT_OF_BOUNDS; default 10 min. */
    public Builder maxFuture(java.time.Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("maxFuture: " + d + " (expected: >= 0)");
      }
      this.maxFutureMillis = d.toMillis();
      return this;
    }

    /**
     * Samples up to this much older than their series' newest are still taken (default 0: off;
     * at most 1 h). Identical duplicates stay idempotent.
     */
    public Builder outOfOrderWindow(java.time.Duration d) {
      if (d.isNegative() || d.toMillis() > HeadOptions.MAX_OUT_OF_ORDER_WINDOW) {
        throw new IllegalArgumentException("outOfOrderWindow: " + d + " (expected: 0..1h)");
      }
      this.outOfOrderWindow = d.toMillis();
      return this;
    }

    /** Chunks are cut at every multiple of this (the block range); default 2 h. */
    public Builder chunkRange(java.time.Duration d) {
      if (d.toMillis() < 1000) {
        throw new IllegalArgumentException("chunkRange: " + d + " (expected: >= 1 s)");
      }
      this.chunkRange = d.toMillis();
      return this;
    }

    /**
     * How often the head is checkpointed in the background (also on close); zero turns automatic
     * checkpoints off ({@link Tsdb#checkpoint()} still works). Default 15 min: a crash replays at
     * most that much WAL, a clean stop none.
     */
    public Builder checkpointInterval(java.time.Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("checkpointInterval: " + d + " (expected: >= 0)");
      }
      this.checkpointInterval = d;
      return this;
    }

    /** How often the background cuts the head into blocks, compacts and applies retention (1 min). */
    public Builder maintenanceInterval(java.time.Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("maintenanceInterval: " + d + " (expected: > 0)");
      }
      this.maintenanceInterval = d;
      return this;
    }

    /** Retention tiers (default raw 7 d, 5-minute rollups 30 d, 1-hour rollups 2 y, no size limit). */
    public Builder retention(syslens.tsdb.retention.Retention.Settings settings) {
      this.retention = requireNonNull(settings, "settings");
      return this;
    }

    /** How WAL segments are opened; tests inject failing channels. */
    public Builder walChannels(WalChannels channels) {
      this.walChannels = requireNonNull(channels, "channels");
      return this;
    }

    /**
     * Opens the database: replays {@code <dir>/wal/} into a fresh head.
     *
     * @throws UncheckedIOException when the directory cannot be read or written
     */
    public Tsdb build() {
      long start = System.nanoTime();
      AtomicLong samples = new AtomicLong();
      Checkpoints checkpoints = new Checkpoints(dir);
      Wal wal;
      Blocks blocks;
      try {
        blocks = Blocks.open(dir.resolve("blocks"));
      } catch (IOException e) {
        throw new UncheckedIOException("opening TSDB blocks in " + dir.resolve("blocks"), e);
      }
      for (Blocks.LoadFailure f : blocks.failures()) {
        Checkpoints.LOG.log(System.Logger.Level.ERROR, "skipping damaged block " + f.dir() + ": " + f.reason());
      }
      HeadRef ref;
      try {
        Checkpoint.Loaded loaded = checkpoints.readNewest();
        ref = new HeadRef(loaded == null ? 0 : loaded.series().size());
        // What blocks hold is not taken again: replay and checkpoints skip it too.
        ref.head().minValidTime(Maintenance.minValidTime(blocks));
        int fromSegment = 0;
        if (loaded != null) {
          ref.head().restoreAll(loaded.series());
          fromSegment = loaded.walSegment();
        }
        // The head needs the WAL as its log, and the WAL replays into the head: tie the knot.
        wal = Wal.open(dir.resolve("wal"), walSegmentSize, walChannels, fromSegment, new Records.Handler() {
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

          @Override
          public void samples(long[] refs, long[] ts, double[] vs, int n) {
            samples.addAndGet(ref.head().replaySamples(refs, ts, vs, n));
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException("opening TSDB in " + dir, e);
      }
      ref.head().dropEmptySeries();
      ref.log.target = new WalCommitLog(wal);
      Maintenance maintenance = new Maintenance(ref.head(), blocks, chunkRange, retention, clock);
      return new Tsdb(ref.head(), wal, blocks, maintenance, checkpoints, checkpointInterval,
          maintenanceInterval, clock, samples.get(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Builds the head before the WAL exists; its log forwards to the WAL once opened. */
    private final class HeadRef {
      final ForwardingLog log = new ForwardingLog();
      final Head head;

      HeadRef(int expectedSeries) {
        head = Head.create(HeadOptions.builder().chunkSize(chunkSize).chunkRange(chunkRange)
            .maxSeries(maxSeries).maxSeriesPerSource(maxSeriesPerSource).maxFutureMillis(maxFutureMillis)
            .outOfOrderWindowMillis(outOfOrderWindow).clock(clock).expectedSeries(expectedSeries).build(), log);
      }

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

    @Override
    public long syncedPosition() {
      return target.syncedPosition();
    }

    @Override
    public boolean isLost(long position) {
      return target.isLost(position);
    }

    @Override
    public boolean recovering() {
      return target.recovering();
    }

    @Override
    public void recover() {
      target.recover();
    }
  }
}
