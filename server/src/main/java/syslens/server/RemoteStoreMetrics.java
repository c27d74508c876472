package syslens.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;
import syslens.remote.RemoteStorage;

/** The remote store's buffer and sender on /metrics. */
final class RemoteStoreMetrics {
  private RemoteStoreMetrics() {}

  static void bind(RemoteStorage s, MeterRegistry meters) {
    gauge(meters, s, "syslens.remote.store.up", "1 while the remote store takes writes, 0 while sends fail",
        st -> st.storeUp() ? 1 : 0);
    gauge(meters, s, "syslens.remote.buffer.bytes", "Bytes buffered on local disk, not yet taken by the store",
        st -> st.pendingBytes());
    gauge(meters, s, "syslens.remote.buffer.samples", "Samples buffered on local disk, not yet taken by the store",
        st -> st.pendingSamples());
    gauge(meters, s, "syslens.remote.buffer.max.bytes", "The local buffer's bound", st -> st.maxBufferBytes());
    Gauge.builder("syslens.remote.healthy", s, r -> r.problem() == null ? 1 : 0)
        .description("1 while writes can be promised (the buffer has room), 0 when not (see /readyz)")
        .register(meters);
    counter(meters, s, "syslens.remote.samples.sent", null, "Samples the store took", st -> st.samplesSent());
    counter(meters, s, "syslens.remote.requests.sent", null, "Remote-write requests the store took", st -> st.requestsSent());
    counter(meters, s, "syslens.remote.bytes.sent", null, "Compressed bytes the store took", st -> st.bytesSent());
    counter(meters, s, "syslens.remote.send.retries", null, "Sends that failed and are retried", st -> st.retries());
    counter(meters, s, "syslens.remote.samples.dropped", "buffer_full",
        "Samples refused (never acknowledged) because the local buffer was full", st -> st.samplesRefused());
    counter(meters, s, "syslens.remote.samples.dropped", "rejected_by_store",
        "Samples the store refused for good (HTTP 4xx)", st -> st.samplesRejected());
    counter(meters, s, "syslens.remote.samples.dropped", "invalid_labels",
        "Samples with labels the store cannot take", st -> st.invalidLabels());
    counter(meters, s, "syslens.remote.samples.dropped", "not_representable",
        "NaN and infinite samples (e.g. stale markers) InfluxDB cannot store", st -> st.unrepresentable());
    counter(meters, s, "syslens.remote.buffer.corrupt.bytes", null,
        "Buffer bytes skipped as corrupt when read back", st -> st.corruptBytes());
  }

  private static void gauge(MeterRegistry meters, RemoteStorage s, String name, String help,
      ToDoubleFunction<RemoteStorage.Stats> f) {
    Gauge.builder(name, s, r -> f.applyAsDouble(r.stats())).description(help).register(meters);
  }

  private static void counter(MeterRegistry meters, RemoteStorage s, String name, String reason, String help,
      ToDoubleFunction<RemoteStorage.Stats> f) {
    FunctionCounter.Builder<RemoteStorage> b = FunctionCounter.builder(name, s, r -> f.applyAsDouble(r.stats()))
        .description(help);
    if (reason != null) {
      b.tag("reason", reason);
    }
    b.register(meters);
  }
}
