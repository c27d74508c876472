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
  @Test
  void restart_onPostgres_stateSurvivesAndNothingRepeated() throws Exception {
    assumeTrue(PostgresServer.available(), "PostgreSQL 15 is not installed");
    Instant t0 = Instant.parse("2026-11-30T10:00:00Z");
    MutableClock clock = new MutableClock(t0);
    try (PostgresServer pg = PostgresServer.start(); Listener hook = new Listener()) {
      String config = "route: {receiver: r, group_wait: 0s}\nreceivers: [{name: r, webhook_configs: [{url: '"
          + hook.url("/r") + "'}]}]";
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
}
