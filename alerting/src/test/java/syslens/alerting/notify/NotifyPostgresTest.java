package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.alerting.notify.TestSupport.Listener;
import syslens.alerting.notify.TestSupport.MutableClock;
import syslens.security.PostgresServer;

/** The same state on PostgreSQL 15 (started on loopback): silences, acks, log and queue survive a restart. */
class NotifyPostgresTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  /** One route to webhook receiver r at {@code hook}, no group wait. */
  private static String config(Listener hook) {
    return "route: {receiver: r, group_wait: 0s}\nreceivers: [{name: r, webhook_configs: [{url: '" + hook.url("/r")
        + "'}]}]";
  }

  @Test
  void restart_onPostgres_stateSurvivesAndNothingRepeated() throws Exception {
    assumeTrue(PostgresServer.available(), "PostgreSQL 15 is not installed");
    Instant t0 = T0;
    MutableClock clock = new MutableClock(t0);
    try (PostgresServer pg = PostgresServer.start(); Listener hook = new Listener()) {
      String config = config(hook);
      var alert = TestSupport.firing(t0, "alertname", "Down", "instance", "n1");
      String fp = Model.fingerprint(alert.labels());
      String silence;
      try (Notifier n = Notifier.builder(pg.dataSource()).clock(clock).initialConfig(config).build()) {
        n.replaceConfig(config, "alice");
        n.send(List.of(alert));
        n.tick();
        await().atMost(Duration.ofSeconds(10)).until(() -> hook.bodies.size() == 1 && n.store().pending().isEmpty());
        assertThat(n.dispatcher().ack(fp, "alice", "mine")).isTrue();
        silence = n.silences().save(null, List.of(Matcher.parse("instance=\"n2\"")), t0, t0.plusSeconds(3600),
            "alice", "later");
      }
      clock.advance(Duration.ofMinutes(1));
      try (Notifier n = Notifier.builder(pg.dataSource()).clock(clock).build()) {
        n.start();
        n.tick();
        assertThat(n.dispatcher().queued()).isZero();
        assertThat(n.silences().get(silence)).isPresent();
        assertThat(n.dispatcher().status().get(0).ack().by()).isEqualTo("alice");
        assertThat(n.store().deliveries("r", t0, clock.instant(), 10)).hasSize(1);
      }
      assertThat(hook.bodies).hasSize(1);
    }
  }

  /**
   * Two instances on one PostgreSQL: the standby received no alert itself, yet
   * {@code GET /api/v1/alerting/alerts} on it shows the notifying instance's alerts, firing and
   * then resolved, with the acknowledgement taken on the notifying one.
   */
  @Test
  void standby_alertsApi_showsTheNotifyingInstancesAlerts() throws Exception {
    assumeTrue(PostgresServer.available(), "PostgreSQL 15 is not installed");
    Instant t0 = T0;
    MutableClock clock = new MutableClock(t0);
    try (PostgresServer pg = PostgresServer.start(); Listener hook = new Listener()) {
      String config = config(hook);
      var down = TestSupport.firing(t0, "alertname", "Down", "instance", "n1");
      var full = TestSupport.firing(t0, "alertname", "DiskFull", "instance", "n2");
      try (Notifier active = Notifier.builder(pg.dataSource()).clock(clock).initialConfig(config).build();
          Notifier standby = Notifier.builder(pg.dataSource()).clock(clock).initialConfig(config).standby(true)
              .build()) {
        NotifyApi standbyApi = new NotifyApi(standby);
        assertThat(standbyApi.handle("GET", "/api/v1/alerting/alerts", java.util.Map.of(), null, "bob").data())
            .asList().isEmpty();
        active.send(List.of(down, full));
        active.tick();
        assertThat(active.dispatcher().ack(Model.fingerprint(down.labels()), "alice", "on it")).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          String shown = standbyApi.handle("GET", "/api/v1/alerting/alerts", java.util.Map.of(), null, "bob")
              .data().toString();
          assertThat(shown).contains("alertname=Down").contains("alertname=DiskFull").contains("state=active")
              .contains("by=alice").contains("receivers=[r]");
        });
        // Acknowledged on the standby, which never received the alert: stored, and the notifying
        // instance has it once it reads the shared state again (the cluster bus tells it to).
        String fullFp = Model.fingerprint(full.labels());
        NotifyApi.Response acked = standbyApi.handle("POST", "/api/v1/alerts/" + fullFp + "/ack", java.util.Map.of(),
            "{\"comment\": \"disk ordered\"}", "carol");
        assertThat(acked.status()).as(String.valueOf(acked.error())).isEqualTo(200);
        active.reloadShared();
        assertThat(active.alertStatus().stream().filter(st -> st.fingerprint().equals(fullFp)).findFirst()
            .orElseThrow().ack().by()).isEqualTo("carol");
        // Resolved on the notifying instance: the standby shows it resolved too.
        active.send(List.of(TestSupport.resolved(full, t0.plusSeconds(1))));
        clock.advance(Duration.ofSeconds(2));
        active.tick();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          @SuppressWarnings("unchecked")
          List<java.util.Map<String, Object>> shown = (List<java.util.Map<String, Object>>) standbyApi.handle("GET",
              "/api/v1/alerting/alerts", java.util.Map.of(), null, "bob").data();
          assertThat(shown).hasSize(2);
          for (java.util.Map<String, Object> a : shown) {
            String state = ((java.util.Map<?, ?>) a.get("status")).get("state").toString();
            assertThat(state).as(a.toString()).isEqualTo(a.toString().contains("DiskFull") ? "resolved" : "active");
          }
        });
      }
    }
  }
}
