package syslens.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import syslens.security.PostgresServer;

/** The cluster bus on a real PostgreSQL 15: delivery between instances, size limit, reconnect. */
class PostgresBusTest {
  private static PostgresServer pg;

  @BeforeAll
  static void startPostgres() throws Exception {
    assertThat(PostgresServer.available()).as("PostgreSQL 15 (apt-get install postgresql)").isTrue();
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  private static PostgresBus bus() {
    return PostgresBus.create("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "syslens", null,
        pg.dataSource(), Clock.systemUTC());
  }

  @Test
  void publish_otherInstanceGetsItSenderDoesNot() {
    try (PostgresBus a = bus(); PostgresBus b = bus()) {
      List<String> atA = new CopyOnWriteArrayList<>();
      List<String> atB = new CopyOnWriteArrayList<>();
      a.subscribe("t", (from, body) -> atA.add(from + ":" + body));
      b.subscribe("t", (from, body) -> atB.add(from + ":" + body));
      a.start();
      b.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> a.problem() == null && b.problem() == null);
      assertThat(a.publish("t", "hello|with|bars")).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> atB.size() == 1);
      assertThat(atB).containsExactly(a.instanceId() + ":hello|with|bars");
      assertThat(b.publish("t", "back")).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> atA.size() == 1);
      assertThat(atA).containsExactly(b.instanceId() + ":back");
      assertThat(atB).hasSize(1); // its own message is not handed back
    }
  }

  @Test
  void publish_overTheLimit_refusedNamingTheSize() {
    try (PostgresBus a = bus()) {
      assertThatThrownBy(() -> a.publish("t", "x".repeat(ClusterBus.MAX_BODY_BYTES + 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining((ClusterBus.MAX_BODY_BYTES + 1) + " bytes (expected: <= " + ClusterBus.MAX_BODY_BYTES);
      assertThatThrownBy(() -> a.publish("Bad Topic", "x")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cluster topic");
    }
  }

  @Test
  void listenConnectionKilled_reportsItReconnectsResyncsAndDeliversAgain() throws Exception {
    try (PostgresBus a = bus(); PostgresBus b = bus()) {
      List<String> atB = new CopyOnWriteArrayList<>();
      AtomicInteger resyncs = new AtomicInteger();
      b.subscribe("t", (from, body) -> atB.add(body));
      b.onResync(resyncs::incrementAndGet);
      a.start();
      b.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> resyncs.get() == 1 && a.problem() == null);
      DataSource ds = pg.dataSource();
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
            + "'syslens-cluster-bus' AND pid <> pg_backend_pid()");
      }
      await().atMost(Duration.ofSeconds(15)).until(() -> resyncs.get() >= 2 && b.problem() == null);
      assertThat(a.publish("t", "after")).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> atB.contains("after"));
    }
  }

  @Test
  void local_isNotClusteredAndStillChecksTheSize() {
    try (ClusterBus local = ClusterBus.local()) {
      assertThat(local.clustered()).isFalse();
      assertThat(local.problem()).isNull();
      assertThat(local.publish("t", "x")).isTrue();
      assertThatThrownBy(() -> local.publish("t", "x".repeat(ClusterBus.MAX_BODY_BYTES + 1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
