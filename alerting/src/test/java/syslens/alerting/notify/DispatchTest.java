package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import syslens.alerting.Alert;
import syslens.alerting.notify.TestSupport.Listener;
import syslens.alerting.notify.TestSupport.MutableClock;

/** Grouping, timers, dedup, inhibition, silences and recovery, delivered to a real HTTP listener. */
class DispatchTest {
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  MutableClock clock = new MutableClock(T0);
  Listener hook;
  Notifier notifier;

  @BeforeEach
  void setUp() throws Exception {
    hook = new Listener();
    String config = """
        global:
          external_url: http://syslens.test
        route:
          receiver: hook
          group_by: [alertname]
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 4h
          routes:
          - matchers: ['team="db"']
            receiver: db
        receivers:
        - name: hook
          webhook_configs: [{url: '%s'}]
        - name: db
          webhook_configs: [{url: '%s'}]
        inhibit_rules:
        - source_matchers: ['severity="critical"']
          target_matchers: ['severity="warning"']
          equal: [instance]
        """.formatted(hook.url("/hook"), hook.url("/db"));
    notifier = Notifier.builder(TestSupport.h2()).clock(clock).initialConfig(config)
        .retry(3, Duration.ofMillis(10), Duration.ofMillis(50)).build();
  }

  @AfterEach
  void tearDown() {
    notifier.close();
    hook.close();
  }

  private void tickAndAwait(int totalDelivered) {
    notifier.tick();
    await().atMost(Duration.ofSeconds(10)).until(() -> hook.bodies.size() >= totalDelivered
        && notifier.store().pending().isEmpty());
    assertThat(hook.bodies).hasSize(totalDelivered);
  }

  private void tickExpectNothing() {
    long before = notifier.dispatcher().queued();
    notifier.tick();
    assertThat(notifier.dispatcher().queued()).isEqualTo(before);
  }

  @Test
  void tick_groupWaitThenOneWebhookPerGroup_payloadIsAlertmanagers() throws Exception {
    Alert a = TestSupport.firing(T0, "alertname", "HighCpu", "instance", "n1", "severity", "warning");
    Alert b = TestSupport.firing(T0, "alertname", "HighCpu", "instance", "n2", "severity", "warning");
    notifier.send(List.of(a, b));
    tickExpectNothing();
    clock.advance(Duration.ofSeconds(29));
    tickExpectNothing();
    clock.advance(Duration.ofSeconds(1));
    tickAndAwait(1);

    JsonNode p = hook.json().get(0);
    assertThat(hook.paths.get(0)).isEqualTo("/hook");
    assertThat(p.get("version").asText()).isEqualTo("4");
    assertThat(p.get("groupKey").asText()).isEqualTo("{}:{alertname=\"HighCpu\"}");
    assertThat(p.get("truncatedAlerts").asInt()).isZero();
    assertThat(p.get("status").asText()).isEqualTo("firing");
    assertThat(p.get("receiver").asText()).isEqualTo("hook");
    assertThat(p.get("groupLabels").toString()).isEqualTo("{\"alertname\":\"HighCpu\"}");
    assertThat(p.get("commonLabels").toString()).isEqualTo("{\"alertname\":\"HighCpu\",\"severity\":\"warning\"}");
    assertThat(p.get("commonAnnotations").toString()).isEqualTo("{\"summary\":\"summary of HighCpu\"}");
    assertThat(p.get("externalURL").asText()).isEqualTo("http://syslens.test");
    assertThat(p.get("alerts")).hasSize(2);
    JsonNode first = p.get("alerts").get(0);
    assertThat(first.get("status").asText()).isEqualTo("firing");
    assertThat(first.get("labels").get("instance").asText()).isIn("n1", "n2");
    assertThat(first.get("annotations").get("summary").asText()).isEqualTo("summary of HighCpu");
    assertThat(first.get("startsAt").asText()).isEqualTo("2026-11-30T10:00:00Z");
    assertThat(first.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(first.get("generatorURL").asText()).isEqualTo("http://syslens.test/graph");
    assertThat(first.get("fingerprint").asText()).matches("[0-9a-f]{16}");

    // Re-sent by the rules every evaluation: nothing new until repeat_interval.
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMinutes(5));
      notifier.send(List.of(a, b));
      tickExpectNothing();
    }
    clock.advance(Duration.ofHours(4));
    notifier.send(List.of(a, b));
    tickAndAwait(2);
  }

  @Test
  void tick_newAlertInGroup_sentAtGroupIntervalNotBefore() {
    notifier.send(List.of(TestSupport.firing(T0, "alertname", "Disk", "instance", "n1")));
    tickExpectNothing();
    clock.advance(Duration.ofSeconds(30));
    tickAndAwait(1);
    clock.advance(Duration.ofMinutes(1));
    notifier.send(List.of(TestSupport.firing(clock.instant(), "alertname", "Disk", "instance", "n2")));
    tickExpectNothing();
    clock.advance(Duration.ofMinutes(4));
    tickAndAwait(2);
    assertThat(hook.json().get(1).get("alerts")).hasSize(2);
  }

  @Test
  void tick_criticalFiring_inhibitsWarningOnSameInstanceOnly() {
    notifier.send(List.of(
        TestSupport.firing(T0, "alertname", "Down", "instance", "n1", "severity", "critical"),
        TestSupport.firing(T0, "alertname", "Slow", "instance", "n1", "severity", "warning"),
        TestSupport.firing(T0, "alertname", "Slow", "instance", "n2", "severity", "warning")));
    tickExpectNothing();
    clock.advance(Duration.ofSeconds(30));
    tickAndAwait(2);
    List<String> sent = hook.json().stream()
        .flatMap(p -> java.util.stream.StreamSupport.stream(p.get("alerts").spliterator(), false))
        .map(x -> x.get("labels").get("alertname").asText() + "/" + x.get("labels").get("instance").asText()).toList();
    assertThat(sent).containsExactlyInAnyOrder("Down/n1", "Slow/n2");
  }

  @Test
  void tick_silenced_notSentUntilSilenceExpires() {
    String id = notifier.silences().save(null, List.of(Matcher.parse("alertname=~\"Mem.*\"")), T0,
        T0.plus(Duration.ofHours(2)), "alice", "planned upgrade");
    notifier.send(List.of(TestSupport.firing(T0, "alertname", "MemHigh", "instance", "n1")));
    tickExpectNothing();
    clock.advance(Duration.ofSeconds(30));
    tickExpectNothing();
    assertThat(notifier.dispatcher().status().get(0).silencedBy()).containsExactly(id);
    notifier.silences().expire(id);
    clock.advance(Duration.ofMinutes(5));
    tickAndAwait(1);
  }

  @Test
  void tick_alertResolves_recoveryNotificationWithEndsAt() {
    Alert a = TestSupport.firing(T0, "alertname", "Down", "instance", "n1");
    notifier.send(List.of(a));
    tickExpectNothing();
    clock.advance(Duration.ofSeconds(30));
    tickAndAwait(1);
    clock.advance(Duration.ofMinutes(2));
    Instant end = clock.instant();
    notifier.send(List.of(TestSupport.resolved(a, end)));
    clock.advance(Duration.ofMinutes(3));
    tickAndAwait(2);
    JsonNode p = hook.json().get(1);
    assertThat(p.get("status").asText()).isEqualTo("resolved");
    assertThat(p.get("alerts").get(0).get("status").asText()).isEqualTo("resolved");
    assertThat(p.get("alerts").get(0).get("endsAt").asText()).isEqualTo(end.toString());
    // The resolved alert left its group; nothing more is sent.
    clock.advance(Duration.ofHours(5));
    tickExpectNothing();
    assertThat(notifier.dispatcher().groupCount()).isZero();
  }

  @Test
  void tick_childRouteMatches_goesToItsReceiver() {
    notifier.send(List.of(TestSupport.firing(T0, "alertname", "Repl", "team", "db"),
        TestSupport.firing(T0, "alertname", "Repl", "team", "web")));
    tickExpectNothing();
    clock.advance(Duration.ofSeconds(30));
    tickAndAwait(2);
    assertThat(hook.paths).containsExactlyInAnyOrder("/hook", "/db");
  }

  @Test
  void tick_largeGroup_persistedAndDeliveredWhole() {
    String text = "x".repeat(600);
    List<Alert> many = new java.util.ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      many.add(new Alert(syslens.storage.Labels.of("alertname", "Big", "instance", "n" + i),
          java.util.Map.of("description", text), T0, T0.plusSeconds(3600), "", Double.NaN));
    }
    notifier.send(many);
    tickExpectNothing();
    clock.advance(Duration.ofSeconds(30));
    tickAndAwait(1); // a notification body of more than 1 MB went through the persisted queue
    assertThat(hook.json().get(0).get("alerts")).hasSize(2000);
  }
}
