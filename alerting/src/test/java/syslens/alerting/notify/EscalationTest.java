package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import syslens.alerting.Alert;
import syslens.alerting.notify.TestSupport.Listener;
import syslens.alerting.notify.TestSupport.MutableClock;

/** Escalation of unacknowledged alerts, acknowledgement, and maintenance windows per node group. */
class EscalationTest {
  static final Instant MONDAY = Instant.parse("2026-11-30T10:00:00Z");
  final MutableClock clock = new MutableClock(MONDAY);
  Listener hook;
  Notifier notifier;

  @BeforeEach
  void setUp() throws Exception {
    hook = new Listener();
    String config = """
        route:
          receiver: oncall
          group_wait: 0s
          group_interval: 1m
          repeat_interval: 4h
          escalate_after: 30m
          escalate_to: boss
        receivers:
        - name: oncall
          webhook_configs: [{url: '%s'}]
        - name: boss
          webhook_configs: [{url: '%s'}]
        time_intervals:
        - name: sunday-night
          time_intervals:
          - weekdays: [sunday]
            times: [{start_time: '22:00', end_time: '24:00'}]
        maintenance_windows:
        - name: db-patching
          matchers: ['group="db"']
          time_intervals: [sunday-night]
        """.formatted(hook.url("/oncall"), hook.url("/boss"));
    notifier = Notifier.builder(TestSupport.h2()).clock(clock).initialConfig(config)
        .retry(2, Duration.ofMillis(10), Duration.ofMillis(10)).build();
  }

  @AfterEach
  void tearDown() {
    notifier.close();
    hook.close();
  }

  private void tickUntil(String path, int count) {
    notifier.tick();
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.paths.stream().filter(path::equals).count() == count
        && notifier.store().pending().isEmpty());
  }

  @Test
  void escalate_unacknowledgedPastEscalateAfter_bossNotifiedOnce() {
    Alert a = TestSupport.firing(MONDAY, "alertname", "Down", "instance", "n1");
    notifier.send(List.of(a));
    tickUntil("/oncall", 1);
    clock.advance(Duration.ofMinutes(29));
    notifier.send(List.of(a));
    tickUntil("/boss", 0);
    clock.advance(Duration.ofMinutes(1));
    tickUntil("/boss", 1);
    assertThat(hook.json().get(hook.paths.indexOf("/boss")).get("groupKey").asText()).startsWith("escalation:");
    clock.advance(Duration.ofMinutes(10));
    tickUntil("/boss", 1); // once per repeat_interval, not every tick
  }

  @Test
  void ack_beforeEscalateAfter_noEscalationAndAckVisible() {
    Alert a = TestSupport.firing(MONDAY, "alertname", "Down", "instance", "n1");
    notifier.send(List.of(a));
    tickUntil("/oncall", 1);
    String fp = Model.fingerprint(a.labels());
    assertThat(notifier.dispatcher().ack(fp, "alice", "looking into it")).isTrue();
    clock.advance(Duration.ofMinutes(40));
    tickUntil("/boss", 0);
    Dispatcher.Status s = notifier.dispatcher().status().get(0);
    assertThat(s.ack().by()).isEqualTo("alice");
    assertThat(s.ack().comment()).isEqualTo("looking into it");
    assertThat(notifier.dispatcher().ack("0000000000000000", "alice", "x")).isFalse();
  }

  @Test
  void maintenanceWindow_matchingGroupMutedOnlyInsideWindow() {
    clock.advance(Duration.ofDays(6).plusHours(13)); // Sunday 23:00 UTC
    Instant now = clock.instant();
    notifier.send(List.of(TestSupport.firing(now, "alertname", "Down", "group", "db", "instance", "pg1"),
        TestSupport.firing(now, "alertname", "Down", "group", "web", "instance", "w1")));
    tickUntil("/oncall", 1);
    assertThat(hook.json().get(0).get("alerts")).hasSize(1);
    assertThat(hook.json().get(0).get("alerts").get(0).get("labels").get("group").asText()).isEqualTo("web");
    assertThat(notifier.dispatcher().status()).filteredOn(s -> "db-patching".equals(s.maintenance())).hasSize(1);
    clock.advance(Duration.ofHours(1)); // Monday 00:00: the window is over
    tickUntil("/oncall", 2);
    assertThat(hook.json().get(1).get("alerts")).hasSize(2);
  }
}
