package syslens.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import syslens.server.cluster.ClusterBus;
import syslens.storage.Storage;

/**
 * What {@code /readyz} answers: each dependency (metadata database, time-series store, cluster
 * bus, the Kafka ingest bus when configured) with its state, 503 naming the failing ones. The database is checked in the background
 * ({@link #checkMetadata}, on the server's scheduler) so a probe never waits for JDBC.
 */
final class Readiness {
  /** How long a metadata check may take before it counts as failed. */
  static final int CHECK_TIMEOUT_SECONDS = 2;
  private final DataSource metadata;
  private final Storage storage;
  private final ClusterBus bus;
  private volatile String metadataProblem;

  Readiness(DataSource metadata, Storage storage, ClusterBus bus) {
    this.metadata = requireNonNull(metadata, "metadata");
    this.storage = requireNonNull(storage, "storage");
    this.bus = requireNonNull(bus, "bus");
  }

  /** Asks the Kafka cluster of the ingest bus, if any, for its brokers (at most 2 s). */
  void checkKafka() {
    syslens.kafka.KafkaBus kafka = StorageWiring.bus(storage);
    if (kafka != null) {
      kafka.check();
    }
  }

  /** Asks the metadata database for a round trip; remembers what failed. */
  void checkMetadata() {
    try (Connection c = metadata.getConnection()) {
      metadataProblem = c.isValid(CHECK_TIMEOUT_SECONDS) ? null
          : "no answer within " + CHECK_TIMEOUT_SECONDS + " s";
    } catch (SQLException | RuntimeException e) {
      metadataProblem = String.valueOf(e.getMessage());
    }
  }

  HttpResponse response() {
    Map<String, Object> checks = new LinkedHashMap<>();
    List<String> failing = new ArrayList<>();
    checks.put("metadata", check("metadata", metadataProblem, null, failing));
    checks.put("storage", check("storage", StorageWiring.problem(storage), StorageWiring.degraded(storage), failing));
    Map<String, Object> b = check("bus", bus.problem(), null, failing);
    b.put("kind", bus.clustered() ? "postgresql" : "local");
    checks.put("bus", b);
    syslens.kafka.KafkaBus kafka = StorageWiring.bus(storage);
    if (kafka != null) {
      checks.put("kafka", check("kafka", kafka.problem(), null, failing));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", failing.isEmpty() ? "ready" : "unavailable");
    body.put("failing", failing);
    body.put("checks", checks);
    return HttpResponse.ofJson(failing.isEmpty() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, body);
  }

  private static Map<String, Object> check(String name, String problem, String degraded, List<String> failing) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (problem != null) {
      failing.add(name);
      m.put("status", "failing");
      m.put("reason", problem);
    } else if (degraded != null) {
      m.put("status", "degraded");
      m.put("reason", degraded);
    } else {
      m.put("status", "ok");
    }
    return m;
  }
}
