package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import syslens.storage.Labels;

class ConfigParserTest {
  /** The routing part of a typical alertmanager.yml, unchanged. */
  static final String ALERTMANAGER_YML = """
      global:
        resolve_timeout: 5m
        smtp_smarthost: 'mail.example.org:587'
        smtp_from: 'alertmanager@example.org'
        smtp_auth_username: 'alertmanager'
        smtp_auth_password: 'password'
      templates: ['/etc/alertmanager/template/*.tmpl']
      route:
        group_by: ['alertname', 'cluster', 'service']
        group_wait: 30s
        group_interval: 5m
        repeat_interval: 3h
        receiver: team-X-mails
        routes:
        - matchers:
            - service=~"foo1|foo2|baz"
          receiver: team-X-mails
          routes:
          - matchers:
              - severity="critical"
            receiver: team-X-pager
        - matchers:
            - service="files"
          receiver: team-Y-mails
          mute_time_intervals: [offhours]
        - match_re:
            service: ^(database|db)$
          receiver: team-DB-pager
          group_by: [alertname, cluster, database]
          continue: true
      inhibit_rules:
      - source_matchers: [severity="critical"]
        target_matchers: [severity="warning"]
        equal: [alertname, cluster, service]
      time_intervals:
      - name: offhours
        time_intervals:
        - times: [{start_time: '18:00', end_time: '24:00'}]
          weekdays: ['monday:friday']
          location: Asia/Shanghai
        - weekdays: [saturday, sunday]
      receivers:
      - name: 'team-X-mails'
        email_configs:
        - to: 'team-X+alerts@example.org'
      - name: 'team-X-pager'
        webhook_configs: [{url: 'http://pager.example.org/hook'}]
      - name: 'team-Y-mails'
        email_configs:
        - to: 'team-Y+alerts@example.org'
      - name: 'team-DB-pager'
        webhook_configs: [{url: 'http://db.example.org/hook', send_resolved: false}]
      """;

  @Test
  void parse_alertmanagerYml_routesAsAlertmanager() {
    NotifyConfig c = ConfigParser.parse(ALERTMANAGER_YML);
    assertThat(receivers(c, "alertname", "x", "service", "foo1", "severity", "critical")).containsExactly("team-X-pager");
    assertThat(receivers(c, "alertname", "x", "service", "baz")).containsExactly("team-X-mails");
    assertThat(receivers(c, "alertname", "x", "service", "db")).containsExactly("team-DB-pager");
    assertThat(receivers(c, "alertname", "x", "service", "other")).containsExactly("team-X-mails");
    // Regex matchers are anchored: "foo10" is not "foo1".
    assertThat(receivers(c, "service", "foo10", "severity", "critical")).containsExactly("team-X-mails");
    NotifyConfig.Route files = c.route().match(Labels.of("service", "files")).get(0);
    assertThat(files.groupWait).isEqualTo(Duration.ofSeconds(30));
    assertThat(files.repeatInterval).isEqualTo(Duration.ofHours(3));
    assertThat((Object) files.groupLabels(Labels.of("alertname", "a", "cluster", "c", "x", "y")))
        .isEqualTo(Labels.of("alertname", "a", "cluster", "c"));
    // offhours: 18:00-24:00 Shanghai on weekdays, all weekend.
    assertThat(c.inInterval("offhours", Instant.parse("2026-11-30T11:00:00Z"))).isTrue(); // Mon 19:00 +08
    assertThat(c.inInterval("offhours", Instant.parse("2026-11-30T02:00:00Z"))).isFalse(); // Mon 10:00 +08
    assertThat(c.inInterval("offhours", Instant.parse("2026-11-29T02:00:00Z"))).isTrue(); // Sunday
    Integration.Email mail = (Integration.Email) c.receivers().get("team-X-mails").integrations().get(0);
    assertThat(mail.host()).isEqualTo("mail.example.org");
    assertThat(mail.port()).isEqualTo(587);
    assertThat(mail.requireTls()).isTrue();
    assertThat(mail.toString()).doesNotContain("password");
  }

  private static java.util.List<String> receivers(NotifyConfig c, String... labels) {
    return c.route().match(Labels.of(labels)).stream().map(r -> r.receiver).toList();
  }

  @Test
  void parse_groupByEllipsis_groupsByAllLabels() {
    NotifyConfig c = ConfigParser.parse("route: {receiver: r, group_by: ['...']}\nreceivers: [{name: r}]");
    Labels l = Labels.of("a", "1", "b", "2");
    assertThat((Object) c.route().groupLabels(l)).isEqualTo(l);
  }

  @Test
  void parse_json_sameAsYaml() {
    NotifyConfig c = ConfigParser.parse("{\"route\":{\"receiver\":\"r\",\"group_wait\":\"10s\"},\"receivers\":[{\"name\":\"r\"}]}");
    assertThat(c.route().groupWait).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void parse_badInput_errorNamesTheField() {
    assertError("route: {receiver: r, routes: [{group_wait: 5x}]}\nreceivers: [{name: r}]",
        "route.routes[0].group_wait: \"5x\" (expected: a duration like 30s, 5m, 4h, 1h30m)");
    assertError("route: {receiver: nope}\nreceivers: [{name: r}]",
        "route.receiver: \"nope\" is not defined (expected: one of [r])");
    assertError("route: {receiver: r, routes: [{matchers: ['a=~\"(\"']}]}\nreceivers: [{name: r}]",
        "route.routes[0].matchers[0]: regex of a:");
    assertError("route: {receiver: r}\nreceivers: [{name: r, pagerduty_configs: [{}]}]",
        "receivers[0].pagerduty_configs: not supported");
    assertError("route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'ftp://x'}]}]",
        "receivers[0].webhook_configs[0].url: \"ftp://x");
    assertError("route: {receiver: r, grop_by: [a]}\nreceivers: [{name: r}]", "route.grop_by: unknown field");
    assertError("route: {receiver: r, mute_time_intervals: [x]}\nreceivers: [{name: r}]",
        "route.mute_time_intervals: \"x\" is not defined");
    assertError("time_intervals: [{name: t, time_intervals: [{weekdays: [funday]}]}]\nroute: {receiver: r}\nreceivers: [{name: r}]",
        "time_intervals[0].time_intervals[0].weekdays[0]: \"funday\"");
    assertError("route: {receiver: r}\nreceivers: [{name: r, language: fr}]",
        "receivers[0].language: \"fr\" (expected: one of en, zh-CN, ja-JP)");
    assertError("route: {receiver: r, escalate_after: 30m}\nreceivers: [{name: r}]",
        "route.escalate_to: missing (expected: escalate_after and escalate_to together)");
    assertError("route: [", "config: not valid YAML at line");
  }

  private static void assertError(String config, String message) {
    assertThatThrownBy(() -> ConfigParser.parse(config)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
  }

  @Test
  void matcher_parse_operatorsAndQuoting() {
    assertThat(Matcher.parse("a!=\"x\\\"y\"").matches(Labels.of("a", "x\"y"))).isFalse();
    assertThat(Matcher.parse("a!~x.*").matches(Labels.of("a", "yx"))).isTrue();
    assertThat(Matcher.parse("missing=\"\"").matches(Labels.of("a", "1"))).isTrue();
    assertThat(ConfigParser.splitMatchers("{a=\"1,2\", b=~\"x\"}")).containsExactly("a=\"1,2\"", " b=~\"x\"");
  }
}
