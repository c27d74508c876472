package syslens.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;
import syslens.kafka.KafkaBus;
import syslens.storage.AppendStatus;

/** The Kafka ingest bus on /metrics: what ingest published, what the writers wrote or refused. */
final class KafkaBusMetrics {
  private KafkaBusMetrics() {}

  static void bind(KafkaBus bus, MeterRegistry meters) {
    Gauge.builder("syslens.kafka.healthy", bus, b -> b.problem() == null ? 1 : 0)
        .description("1 while Kafka answers and takes batches (and this instance's writer can write), 0 when not"
            + " (see /readyz)").register(meters);
    counter(meters, bus, "syslens.kafka.published.records", null, "Records Kafka acknowledged", st -> st.publishedRecords());
    counter(meters, bus, "syslens.kafka.published.samples", null, "Samples Kafka acknowledged", st -> st.publishedSamples());
    counter(meters, bus, "syslens.kafka.publish.failures", null,
        "Batches Kafka did not acknowledge in time (refused to their source, which resends)", st -> st.publishFailures());
    counter(meters, bus, "syslens.kafka.consumed.records", null, "Records this instance's writer consumed",
        st -> st.consumedRecords());
    counter(meters, bus, "syslens.kafka.written.samples", null, "Samples the writer wrote to the store",
        st -> st.writtenSamples());
    for (AppendStatus s : AppendStatus.values()) {
      if (s != AppendStatus.OK) {
        counter(meters, bus, "syslens.kafka.rejected.samples", s.name().toLowerCase(java.util.Locale.ROOT),
            "Samples the store refused on the writer", st -> st.rejectedSamples().get(s));
      }
    }
    counter(meters, bus, "syslens.kafka.invalid.records", null, "Records skipped as malformed", st -> st.invalidRecords());
    counter(meters, bus, "syslens.kafka.store.failures", null,
        "Writer polls the store refused (retried from the same offsets)", st -> st.storeFailures());
    counter(meters, bus, "syslens.kafka.commits", null, "Offset commits after durable store writes", st -> st.commits());
    counter(meters, bus, "syslens.kafka.commit.failures", null,
        "Offset commits that failed after the store write (those records are written again, idempotently)",
        st -> st.commitFailures());
  }

  private static void counter(MeterRegistry meters, KafkaBus bus, String name, String reason, String help,
      ToDoubleFunction<KafkaBus.Stats> f) {
    FunctionCounter.Builder<KafkaBus> b = FunctionCounter.builder(name, bus, k -> f.applyAsDouble(k.stats()))
        .description(help);
    if (reason != null) {
      b.tag("reason", reason);
    }
    b.register(meters);
  }
}
