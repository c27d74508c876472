package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which fields are secret, how they are masked, and how {@code <secret>} sent back is resolved. */
class ConfigSecretsTest {
  static final String YAML = """
      # the on-call setup
      global:
        smtp_from: syslens@example.org
        smtp_auth_password: 'g-pass'   # shared SMTP account
        slack_api_url: https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstu
      route: {receiver: ops}
      receivers:
      - name: ops
        email_configs: [{to: ops@example.org, smarthost: '127.0.0.1:25', auth_username: ops, auth_password: "p@ss"}]
        webhook_configs:
        - url: https://hooks.example.org/a?token=qtok
          http_config: {bearer_token: btok, basic_auth: {username: u, password: bpass}}
      - name: chat
        dingtalk_configs: [{url: 'https://oapi.dingtalk.com/robot/send?access_token=dtok', secret: SECdsign}]
        sms_configs: [{url: 'https://sms.example.org/send', to: ['+8613800000000'], headers: {X-Api-Key: skey}}]
      """;
  static final List<String> VALUES = List.of("g-pass", "abcdefghijklmnopqrstu", "p@ss", "qtok", "btok", "bpass", "dtok",
      "SECdsign", "sms.example.org", "skey");

  @Test
  void split_yaml_everySecretMaskedInPlaceCommentsKept() {
    ConfigSecrets.Split s = ConfigSecrets.split(YAML, Map.of());
    for (String v : VALUES) {
      assertThat(s.masked()).doesNotContain(v);
    }
    assertThat(s.masked()).contains("# the on-call setup", "# shared SMTP account", "auth_username: ops",
        "smtp_auth_password: \"<secret>\"", "auth_password: \"<secret>\"}]", "X-Api-Key: \"<secret>\"");
    assertThat(s.secrets()).containsEntry("global/smtp_auth_password", "g-pass")
        .containsEntry("receivers/ops/email_configs/0/auth_password", "p@ss")
        .containsEntry("receivers/ops/webhook_configs/0/http_config/bearer_token", "btok")
        .containsEntry("receivers/ops/webhook_configs/0/http_config/basic_auth/password", "bpass")
        .containsEntry("receivers/chat/dingtalk_configs/0/secret", "SECdsign")
        .containsEntry("receivers/chat/sms_configs/0/headers/X-Api-Key", "skey").hasSize(10);
    // The masked text parses to the same configuration once the secrets are put back.
    NotifyConfig again = ConfigParser.parse(ConfigSecrets.split(s.masked(), s.secrets()).tree(), s.masked());
    assertThat(again.receivers().get("ops").integrations().get(0)).isEqualTo(ConfigParser.parse(YAML)
        .receivers().get("ops").integrations().get(0));
  }

  @Test
  void split_maskSentBack_keepsStoredValueOfSameReceiverEvenWhenReordered() {
    Map<String, String> stored = ConfigSecrets.split(YAML, Map.of()).secrets();
    String reordered = """
        route: {receiver: ops}
        receivers:
        - name: chat
          dingtalk_configs: [{url: <secret>, secret: <secret>}]
        - name: ops
          email_configs: [{to: ops@example.org, smarthost: '127.0.0.1:25', auth_username: ops, auth_password: <secret>}]
        """;
    ConfigSecrets.Split s = ConfigSecrets.split(reordered, stored);
    assertThat(s.tree().at("/receivers/1/email_configs/0/auth_password").asText()).isEqualTo("p@ss");
    assertThat(s.tree().at("/receivers/0/dingtalk_configs/0/secret").asText()).isEqualTo("SECdsign");
    assertThat(ConfigSecrets.changedKeys(stored, s.secrets())).contains("global/smtp_auth_password")
        .doesNotContain("receivers/ops/email_configs/0/auth_password");
  }

  @Test
  void split_maskWithoutStoredValue_refusedNamingTheField() {
    String renamed = """
        route: {receiver: oncall}
        receivers:
        - name: oncall
          email_configs: [{to: ops@example.org, smarthost: '127.0.0.1:25', auth_username: ops, auth_password: <secret>}]
        """;
    Map<String, String> stored = ConfigSecrets.split(YAML, Map.of()).secrets();
    assertThatThrownBy(() -> ConfigSecrets.split(renamed, stored)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("receivers[0].email_configs[0].auth_password: <secret> but no value is stored");
  }

  @Test
  void split_json_rewrittenWithMasks() {
    String json = "{\"route\":{\"receiver\":\"r\"},\"receivers\":[{\"name\":\"r\",\"webhook_configs\":"
        + "[{\"url\":\"https://h.example.org/x\",\"http_config\":{\"bearer_token\":\"jtok\"}}]}]}";
    ConfigSecrets.Split s = ConfigSecrets.split(json, Map.of());
    assertThat(s.masked()).doesNotContain("jtok").doesNotContain("h.example.org").contains("\"<secret>\"");
    assertThat(s.masked().stripLeading()).startsWith("{");
  }

  @Test
  void split_anchoredSecret_rewrittenAsYamlStillMasked() {
    String yaml = """
        route: {receiver: r}
        receivers:
        - name: r
          webhook_configs: [{url: &u 'https://h.example.org/x?t=atok'}]
        """;
    ConfigSecrets.Split s = ConfigSecrets.split(yaml, Map.of());
    assertThat(s.masked()).doesNotContain("atok").contains("<secret>");
    assertThat(ConfigParser.parse(s.masked().replace("<secret>", "https://x.example.org/"))).isNotNull();
  }

  @Test
  void lineDiff_showsRemovedAndAddedLinesOnly() {
    assertThat(NotifyApi.lineDiff("a\nb\nc", "a\nc\nd")).isEqualTo("before/after:\n-b\n+d");
    assertThat(NotifyApi.lineDiff("a\nb", "a\nb")).isEqualTo("text unchanged");
  }
}
