package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import syslens.alerting.notify.NotifyApi.Response;
import syslens.alerting.notify.TestSupport.Listener;
import syslens.alerting.notify.TestSupport.MutableClock;
import syslens.storage.Labels;

/** A receiver with a {@code scope} serves one team: it is told only of that team's alerts and only that team sees it. */
class ScopedReceiversTest {
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  final MutableClock clock = new MutableClock(T0);
  final Listener teamHook = DeliveryTest.listener();
  final Listener opsHook = DeliveryTest.listener();
  final Notifier notifier = Notifier.builder(TestSupport.h2()).clock(clock).initialConfig("""
      route:
        receiver: ops
        group_by: [alertname, group]
        group_wait: 0s
        routes:
        - receiver: team-a
          continue: true
        - receiver: ops
      receivers:
      - name: ops
        webhook_configs: [{url: '%s'}]
      - name: team-a
        scope: ['group="team-a"']
        webhook_configs: [{url: '%s'}]
      """.formatted(opsHook.url("/ops"), teamHook.url("/team"))).build();
  final NotifyApi api = new NotifyApi(notifier);

  /** Team a's scope: alerts with group="team-a"; a silence (or receiver) must pin group="team-a". */
  static final NotifyApi.Scope TEAM_A = new NotifyApi.Scope() {
    @Override
    public boolean visible(Labels labels) {
      return "team-a".equals(labels.get("group"));
    }

    @Override
    public String silenceProblem(List<Matcher> matchers) {
      return matchers.stream().anyMatch(m -> m.toString().equals("group=\"team-a\"")) ? null
          : "matchers must include group=\"team-a\"";
    }
  };

  @AfterEach
  void tearDown() {
    notifier.close();
    teamHook.close();
    opsHook.close();
  }

  @Test
  void scopedReceiver_routedEveryAlert_toldOnlyOfItsTeams() {
    notifier.send(List.of(TestSupport.firing(T0, "alertname", "Down", "group", "team-a", "instance", "a1"),
        TestSupport.firing(T0, "alertname", "Down", "group", "team-b", "instance", "b1")));
    notifier.tick();
    await().atMost(Duration.ofSeconds(10)).until(() -> opsHook.bodies.size() == 2 && teamHook.bodies.size() == 1);
    assertThat(teamHook.bodies.get(0)).contains("team-a").doesNotContain("team-b");
    assertThat(String.join("", opsHook.bodies)).contains("team-a", "team-b");
  }

  @Test
  void api_scopedCaller_seesOnlyItsReceiversAndTheirDeliveries_notTheConfig() {
    notifier.send(List.of(TestSupport.firing(T0, "alertname", "Down", "group", "team-a", "instance", "a1")));
    notifier.tick();
    await().atMost(Duration.ofSeconds(10)).until(() -> opsHook.bodies.size() == 1 && teamHook.bodies.size() == 1);

    Response teamView = api.handle("GET", "/api/v1/receivers", Map.of(), null, "alice", TEAM_A);
    assertThat(names(teamView)).containsExactly("team-a");
    assertThat(names(api.handle("GET", "/api/v1/receivers", Map.of(), null, "admin"))).containsExactly("ops", "team-a");

    Response log = api.handle("GET", "/api/v1/notifications", Map.of("from", "2026-11-30T09:00:00Z"), null, "alice", TEAM_A);
    assertThat(names(log, "receiver")).containsOnly("team-a").hasSize(1);
    Response opsLog = api.handle("GET", "/api/v1/notifications", Map.of("receiver", "ops", "from", "2026-11-30T09:00:00Z"),
        null, "alice", TEAM_A);
    assertThat(names(opsLog, "receiver")).isEmpty();

    Response config = api.handle("GET", "/api/v1/alerting/config", Map.of(), null, "alice", TEAM_A);
    assertThat(config.status()).isEqualTo(403);
    assertThat(config.error()).contains("/api/v1/receivers");
    assertThat(api.handle("PUT", "/api/v1/alerting/config", Map.of(), Notifier.DEFAULT_CONFIG, "alice", TEAM_A).status())
        .isEqualTo(403);
  }

  @Test
  void config_badScope_400NamingTheField() {
    Response r = api.handle("PUT", "/api/v1/alerting/config", Map.of(), """
        route: {receiver: x}
        receivers:
        - name: x
          scope: ['group=~"(']
        """, "admin");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).startsWith("receivers[0].scope[0]");
  }

  private static List<String> names(Response r) {
    return names(r, "name");
  }

  @SuppressWarnings("unchecked")
  private static List<String> names(Response r, String field) {
    assertThat(r.status()).isEqualTo(200);
    return ((List<Map<String, Object>>) r.data()).stream().map(m -> (String) m.get(field)).toList();
  }
}
