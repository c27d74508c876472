package syslens.server;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.kafka.KafkaBus;
import syslens.remote.RemoteStorage;
import syslens.storage.Storage;
import syslens.tsdb.Tsdb;

/** Opens the storage {@link StorageSettings} names and answers for its health and metrics. */
final class StorageWiring {
  private static final Logger log = LoggerFactory.getLogger(StorageWiring.class);

  private StorageWiring() {}

  /**
   * The store (below), behind the Kafka ingest bus when {@link ServerConfig#ingestBus()} names one:
   * then ingest's appenders publish to Kafka and, with the writer role, this instance's writer
   * consumes the topic into the store.
   */
  static Storage open(ServerConfig config, Path data) {
    Storage store = openStore(config, data);
    if (config.ingestBus() == null) {
      return store;
    }
    try {
      return KafkaBus.builder(config.ingestBus(), store).writers(config.has(Role.WRITER) ? 1 : 0).build();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** The store itself: behind the bus, the one the writers write to. */
  static Storage store(Storage storage) {
    return storage instanceof KafkaBus k ? k.store() : storage;
  }

  /** The ingest bus, or null when ingest writes to the store itself. */
  static KafkaBus bus(Storage storage) {
    return storage instanceof KafkaBus k ? k : null;
  }

  /** The embedded TSDB under {@code data/tsdb}, or the remote store with its buffer in {@code data/remote-buffer}. */
  private static Storage openStore(ServerConfig config, Path data) {
    StorageSettings s = config.storage();
    if (s.kind() == StorageSettings.Kind.EMBEDDED) {
      return Tsdb.builder(data.resolve("tsdb")).clock(config.clock()).maxSeriesPerSource(config.maxSeriesPerNode()).build();
    }
    try {
      RemoteStorage.Builder b = RemoteStorage.builder(data.resolve("remote-buffer"), s.writeUrl())
          .maxBufferBytes(s.bufferBytes()).authorization(s.authorization()).clock(config.clock())
          .protocol(s.kind() == StorageSettings.Kind.INFLUXDB ? RemoteStorage.Protocol.INFLUXDB
              : RemoteStorage.Protocol.PROMETHEUS);
      if (s.readUrl() != null) {
        b.readUrl(s.readUrl());
      }
      RemoteStorage r = b.build();
      log.info("storage: {} (local buffer up to {} bytes in {})", s, s.bufferBytes(), data.resolve("remote-buffer"));
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("opening the remote store's local buffer in " + data.resolve("remote-buffer")
          + ": " + e.getMessage(), e);
    }
  }

  /** Why writes cannot be promised now (not ready), or null. */
  static String problem(Storage storage) {
    storage = store(storage);
    return storage instanceof Tsdb t ? t.problem() : storage instanceof RemoteStorage r ? r.problem() : null;
  }

  /** Why storage works in a degraded way now (still ready), or null. */
  static String degraded(Storage storage) {
    storage = store(storage);
    return storage instanceof RemoteStorage r ? r.degraded() : null;
  }

  static void bindMetrics(Storage storage, MeterRegistry meters) {
    if (storage instanceof KafkaBus k) {
      KafkaBusMetrics.bind(k, meters);
      storage = k.store();
    }
    if (storage instanceof Tsdb t) {
      TsdbMetrics.bind(t, meters);
    } else if (storage instanceof RemoteStorage r) {
      RemoteStoreMetrics.bind(r, meters);
    }
  }
}
