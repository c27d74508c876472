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
