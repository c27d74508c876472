package syslens.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;
import syslens.tsdb.Tsdb;

/** The embedded TSDB's counters on /metrics: series, rejections by reason, WAL errors, replay damage. */
final class TsdbMetrics {
  private TsdbMetrics() {}

  static void bind(Tsdb tsdb, MeterRegistry meters) {
    bindBlocks(tsdb, meters);
    gauge(meters, tsdb, "syslens.tsdb.series", "Series in the head", s -> s.numSeries());
    Gauge.builder("syslens.tsdb.healthy", tsdb, t -> t.problem() == null ? 1 : 0)
        .description("1 when storage takes and promises writes, 0 when it cannot (disk full,"
            + " failed fsync, stopped; see /readyz)").register(meters);
    counter(meters, tsdb, "syslens.tsdb.samples.appended", null, "Samples stored", s -> s.samplesAppended());
    counter(meters, tsdb, "syslens.tsdb.samples.rejected", "out_of_order", "Samples refused", s -> s.rejectedOutOfOrder());
    counter(meters, tsdb, "syslens.tsdb.samples.rejected", "duplicate_timestamp", "Samples refused", s -> s.rejectedDuplicate());
    counter(meters, tsdb, "syslens.tsdb.samples.rejected", "invalid_labels", "Samples refused", s -> s.rejectedInvalid());
    counter(meters, tsdb, "syslens.tsdb.samples.rejected", "series_limit", "Samples refused", s -> s.rejectedSeriesLimit());
    counter(meters, tsdb, "syslens.tsdb.samples.rejected", "source_series_limit", "Samples refused", s -> s.rejectedSourceLimit());
    counter(meters, tsdb, "syslens.tsdb.samples.rejected", "out_of_bounds", "Samples refused", s -> s.rejectedOutOfBounds());
    counter(meters, tsdb, "syslens.tsdb.samples.out.of.order", null,
        "Samples taken out of order within the out-of-order window", s -> s.outOfOrderAppended());
    counter(meters, tsdb, "syslens.tsdb.samples.lost", null,
        "Samples of commits whose fsync failed (never acknowledged)", s -> s.lostSamples());
    counter(meters, tsdb, "syslens.tsdb.wal.write.errors", null, "WAL writes that failed", s -> s.walWriteErrors());
    counter(meters, tsdb, "syslens.tsdb.wal.fsync.errors", null, "WAL fsyncs that failed", s -> s.walSyncErrors());
    counter(meters, tsdb, "syslens.tsdb.wal.fsyncs", null, "WAL fsyncs", s -> s.walFsyncs());
    counter(meters, tsdb, "syslens.tsdb.wal.bytes.written", null, "WAL bytes written", s -> s.walBytesWritten());
    gauge(meters, tsdb, "syslens.tsdb.wal.replay.problems",
        "Damaged WAL stretches skipped at the last start", s -> s.walReplayProblems());
    gauge(meters, tsdb, "syslens.tsdb.wal.replay.skipped.bytes",
        "WAL bytes skipped as damaged at the last start", s -> s.walReplaySkippedBytes());
    gauge(meters, tsdb, "syslens.tsdb.wal.replay.dropped.samples",
        "Replayed samples dropped at the last start (series record lost, or out of order)",
        s -> s.walReplayDroppedSamples());
    gauge(meters, tsdb, "syslens.tsdb.wal.replay.seconds", "How long the last WAL replay took",
        s -> s.walReplayMillis() / 1000.0);
  }

  /** Blocks per tier (resolution 0 = raw, 300000 = 5 min, 3600000 = 1 h): count and bytes. */
  static void bindBlocks(Tsdb tsdb, MeterRegistry meters) {
    for (long res : new long[] {0, 300_000, 3_600_000}) {
      String tier = res == 0 ? "raw" : res == 300_000 ? "5m" : "1h";
      Gauge.builder("syslens.tsdb.blocks", tsdb, t -> tier(t, res).blocks())
          .tag("tier", tier).description("On-disk blocks").register(meters);
      Gauge.builder("syslens.tsdb.blocks.bytes", tsdb, t -> tier(t, res).bytes())
          .tag("tier", tier).description("Bytes of on-disk blocks").register(meters);
    }
    Gauge.builder("syslens.tsdb.blocks.damaged", tsdb, t -> t.blockFailures().size())
        .description("Blocks found damaged at start (reported and skipped)").register(meters);
    Gauge.builder("syslens.tsdb.maintenance.failing", tsdb, t -> t.maintenanceProblem() == null ? 0 : 1)
        .description("1 while the last head cut, compaction or retention run failed").register(meters);
  }

  private static syslens.tsdb.block.Blocks.TierStats tier(Tsdb t, long res) {
    for (syslens.tsdb.block.Blocks.TierStats s : t.blockStats()) {
      if (s.resolution() == res) {
        return s;
      }
    }
    return new syslens.tsdb.block.Blocks.TierStats(res, 0, 0, 0, 0);
  }

  private static void gauge(MeterRegistry meters, Tsdb tsdb, String name, String help,
      ToDoubleFunction<Tsdb.Stats> f) {
    Gauge.builder(name, tsdb, t -> f.applyAsDouble(t.stats())).description(help).register(meters);
  }

  private static void counter(MeterRegistry meters, Tsdb tsdb, String name, String reason,
      String help, ToDoubleFunction<Tsdb.Stats> f) {
    FunctionCounter.Builder<Tsdb> b = FunctionCounter.builder(name, tsdb, t -> f.applyAsDouble(t.stats()))
        .description(help);
    if (reason != null) {
      b.tag("reason", reason);
    }
    b.register(meters);
  }
}
