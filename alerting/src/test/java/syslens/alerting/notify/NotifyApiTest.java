package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import syslens.alerting.notify.NotifyApi.Response;
import syslens.alerting.notify.TestSupport.MutableClock;

class NotifyApiTest {
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  final MutableClock clock = new MutableClock(T0);
  final Notifier notifier = Notifier.builder(TestSupport.h2()).clock(clock).build();
  final NotifyApi api = new NotifyApi(notifier);

  @AfterEach
  void tearDown() {
    notifier.close();
  }

  private Response call(String method, String path, String body) {
    return api.handle(method, path, Map.of(), body, "alice");
  }

  @Test
  void silences_createListExpire_alertmanagerV2ShapeAndAudited() {
    Response created = call("POST", "/api/v1/silences", """
        {"matchers":[{"name":"instance","value":"db1","isRegex":false}],"startsAt":"2026-11-30T10:00:00Z",
         "endsAt":"2026-11-30T12:00:00Z","createdBy":"mallory","comment":"disk swap"}""");
    assertThat(created.status()).isEqualTo(200);
    String id = (String) ((Map<?, ?>) created.data()).get("silenceID");
    assertThat(created.audit().action()).isEqualTo("silence.created");
    @SuppressWarnings("unchecked")
    Map<String, Object> s = ((List<Map<String, Object>>) call("GET", "/api/v1/silences", null).data()).get(0);
    assertThat(s).containsEntry("id", id).containsEntry("createdBy", "alice").containsEntry("comment", "disk swap")
        .containsEntry("status", Map.of("state", "active"));
    assertThat(s.get("matchers")).isEqualTo(List.of(Map.of("name", "instance", "value", "db1", "isRegex", false,
        "isEqual", true)));
    Response expired = call("DELETE", "/api/v1/silences/" + id, null);
    assertThat(expired.audit().action()).isEqualTo("silence.expired");
    assertThat(call("GET", "/api/v1/silences/" + id, null).data()).asString().contains("state=expired");
    assertThat(call("GET", "/api/v1/silences/nope", null).status()).isEqualTo(404);
  }

  @Test
  void silences_badInput_400NamingTheField() {
    assertThat(call("POST", "/api/v1/silences", "{\"matchers\":[],\"endsAt\":\"2026-11-30T12:00:00Z\",\"comment\":\"x\"}")
        .error()).isEqualTo("matchers: empty (expected: at least one matcher)");
    assertThat(call("POST", "/api/v1/silences", "{\"matchers\":[{\"name\":\"a\",\"value\":\"b\"}],\"endsAt\":\"tomorrow\","
        + "\"comment\":\"x\"}").error()).startsWith("endsAt: \"tomorrow\" (expected: RFC 3339");
    assertThat(call("POST", "/api/v1/silences", "{\"matchers\":[{\"name\":\"a\",\"value\":\".*\",\"isRegex\":true}],"
        + "\"endsAt\":\"2026-11-30T12:00:00Z\",\"comment\":\"x\"}").error()).contains("match every alert");
    assertThat(call("POST", "/api/v1/silences", "[").status()).isEqualTo(400);
  }

  @Test
  void config_putValidYamlAndBadOne_receiversShownWithoutSecrets() {
    Response bad = call("PUT", "/api/v1/alerting/config", "route: {receiver: x}\nreceivers: [{name: y}]");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.error()).isEqualTo("route.receiver: \"x\" is not defined (expected: one of [y])");
    Response ok = call("PUT", "/api/v1/alerting/config", """
        route: {receiver: hook}
        receivers:
        - name: hook
          webhook_configs: [{url: 'https://hooks.example.org/a?token=s3cr3t', http_config: {bearer_token: tok}}]
        """);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.audit().action()).isEqualTo("alerting.config.changed");
    assertThat(call("GET", "/api/v1/receivers", null).data().toString()).contains("hook").contains("webhook")
        .doesNotContain("s3cr3t").doesNotContain("tok");
    // JSON, and GET's own {"config": ...} shape, are accepted too.
    assertThat(call("PUT", "/api/v1/alerting/config", "{\"route\":{\"receiver\":\"r\"},\"receivers\":[{\"name\":\"r\"}]}")
        .status()).isEqualTo(200);
    Object got = call("GET", "/api/v1/alerting/config", null).data();
    assertThat(call("PUT", "/api/v1/alerting/config", NotifyStore.json(got)).status()).isEqualTo(200);
    // As a JSON tree: edit it and PUT it back.
    Object tree = api.handle("GET", "/api/v1/alerting/config", Map.of("format", "json"), null, "alice").data();
    assertThat(NotifyStore.json(tree)).isEqualTo("{\"route\":{\"receiver\":\"r\"},\"receivers\":[{\"name\":\"r\"}]}");
    assertThat(call("PUT", "/api/v1/alerting/config", NotifyStore.json(tree).replace("\"r\"", "\"q\"")).status())
        .isEqualTo(200);
    assertThat(api.handle("GET", "/api/v1/alerting/config", Map.of("format", "xml"), null, "alice").error())
        .isEqualTo("format: \"xml\" (expected: text or json)");
  }

  @Test
  void ack_knownAlert_visibleInAlertsAndAudited() {
    var a = TestSupport.firing(T0, "alertname", "Down", "instance", "n1");
    notifier.send(List.of(a));
    notifier.tick();
    String fp = Model.fingerprint(a.labels());
    Response r = call("POST", "/api/v1/alerts/" + fp + "/ack", "{\"comment\":\"on it\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.audit()).isEqualTo(new NotifyApi.Audit("alert.acknowledged", fp, "on it"));
    assertThat(call("GET", "/api/v1/alerting/alerts", null).data().toString()).contains("by=alice").contains("on it");
    assertThat(call("POST", "/api/v1/alerts/zz/ack", null).error()).isEqualTo("fingerprint: \"zz\" (expected: 16 hex digits)");
    assertThat(call("POST", "/api/v1/alerts/0123456789abcdef/ack", null).status()).isEqualTo(404);
  }

  @Test
  void notifications_badLimit_400() {
    assertThat(api.handle("GET", "/api/v1/notifications", Map.of("limit", "0"), null, "alice").error())
        .isEqualTo("limit: \"0\" (expected: 1..1000)");
    assertThat(api.handle("GET", "/api/v1/notifications", Map.of("receiver", "x"), null, "alice").status()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(1));
  }
}
