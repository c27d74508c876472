package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import syslens.alerting.AlertingSchema;
import syslens.alerting.notify.NotifyApi.Response;
import syslens.alerting.notify.TestSupport.Listener;
import syslens.alerting.notify.TestSupport.MutableClock;
import syslens.alerting.notify.TestSupport.TestCipher;

/**
 * The notification config's secrets: sealed in the database, {@code <secret>} on every read,
 * kept when sent back, and still delivered for real (GreenMail SMTP with AUTH, an HTTP listener
 * checking the bearer token).
 */
class NotifySecretsTest {
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  static final String SMTP_PASSWORD = "Smtp-Pa55word!";
  static final String BEARER = "hook-token-7f3a";
  final MutableClock clock = new MutableClock(T0);
  final DataSource db = TestSupport.h2();
  final TestCipher key = new TestCipher((byte) 7);
  GreenMail mail;
  Listener hook;

  @BeforeEach
  void setUp() throws Exception {
    ServerSetup smtp = ServerSetupTest.SMTP.dynamicPort();
    smtp.setServerStartupTimeout(20_000);
    mail = new GreenMail(smtp);
    mail.start();
    mail.setUser("ops@example.org", "opsmail", SMTP_PASSWORD); // AUTH is checked against this user
    hook = new Listener();
  }

  @AfterEach
  void tearDown() {
    mail.stop();
    hook.close();
  }

  private String config() {
    return """
        # paging: mail and a webhook
        global:
          smtp_from: syslens@example.org
          smtp_require_tls: false
        route: {receiver: ops, group_wait: 0s}
        receivers:
        - name: ops
          email_configs:
          - to: ops@example.org
            smarthost: '127.0.0.1:%d'
            auth_username: opsmail
            auth_password: '%s'   # the mail account
          webhook_configs:
          - url: '%s'
            http_config: {bearer_token: %s}
        """.formatted(mail.getSmtp().getPort(), SMTP_PASSWORD, hook.url("/hook"), BEARER);
  }

  private Notifier notifier(SecretCipher cipher) {
    return Notifier.builder(db).clock(clock).secretCipher(cipher).retry(1, Duration.ofMillis(10), Duration.ofMillis(10))
        .build();
  }

  private String rawRow() throws Exception {
    try (Connection c = db.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT body, secrets, updated_by FROM notify_config WHERE id = 1")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1) + "\n--\n" + rs.getString(2) + "\n--\n" + rs.getString(3);
    }
  }

  @Test
  void config_sealedAtRestMaskedOnReadKeptOnPutBack_andDeliveredWithRealValues() throws Exception {
    try (Notifier n = notifier(key)) {
      NotifyApi api = new NotifyApi(n);
      Response put = api.handle("PUT", "/api/v1/alerting/config", Map.of(), config(), "alice");
      assertThat(put.status()).isEqualTo(200);
      assertThat(put.audit().detail()).doesNotContain(SMTP_PASSWORD).doesNotContain(BEARER).doesNotContain("/hook")
          .contains("secrets changed: [receivers/ops/email_configs/0/auth_password,")
          .contains("+    auth_password: \"<secret>\"   # the mail account");
      // The database row holds neither the password, the token nor the webhook URL.
      String row = rawRow();
      assertThat(row).doesNotContain(SMTP_PASSWORD).doesNotContain(BEARER).doesNotContain("/hook")
          .contains("# paging: mail and a webhook").contains("auth_password: \"<secret>\"").contains("v1:");
      // Every read shows the mask: the text, and the JSON tree.
      Response got = api.handle("GET", "/api/v1/alerting/config", Map.of(), null, "alice");
      String text = (String) ((Map<?, ?>) got.data()).get("config");
      assertThat(text).doesNotContain(SMTP_PASSWORD).doesNotContain(BEARER).contains("# the mail account")
          .contains("bearer_token: \"<secret>\"");
      assertThat(api.handle("GET", "/api/v1/alerting/config", Map.of("format", "json"), null, "alice").data()
          .toString()).doesNotContain(SMTP_PASSWORD).doesNotContain(BEARER).contains("<secret>");
      // Sending the read back unchanged keeps every secret; the audit says nothing changed.
      Response again = api.handle("PUT", "/api/v1/alerting/config", Map.of(), NotifyStore.json(got.data()), "bob");
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.audit().detail()).endsWith("text unchanged").doesNotContain("secrets changed");
    }
    // After a restart with the same key, mail authenticates with the real password and the webhook
    // gets the real token.
    try (Notifier n = notifier(key)) {
      n.send(List.of(TestSupport.firing(T0, "alertname", "DiskFull", "instance", "db1")));
      n.tick();
      await().atMost(Duration.ofSeconds(20)).until(() -> mail.getReceivedMessages().length == 1
          && hook.authorizations.size() == 1);
      assertThat(hook.authorizations).containsExactly("Bearer " + BEARER);
      assertThat(n.store().deliveries(null, T0.minusSeconds(1), T0.plusSeconds(60), 10))
          .allSatisfy(d -> assertThat(d.status()).isEqualTo("delivered"));
    }
  }

  @Test
  void config_wrongPasswordStillRefusedBySmtp_provingAuthIsChecked() {
    try (Notifier n = notifier(key)) {
      NotifyApi api = new NotifyApi(n);
      assertThat(api.handle("PUT", "/api/v1/alerting/config", Map.of(), config().replace(SMTP_PASSWORD, "wrong-pass"),
          "alice").status()).isEqualTo(200);
      n.send(List.of(TestSupport.firing(T0, "alertname", "DiskFull")));
      n.tick();
      await().atMost(Duration.ofSeconds(20)).until(() -> n.store().deliveries(null, T0.minusSeconds(1),
          T0.plusSeconds(60), 10).stream().anyMatch(d -> d.integration().startsWith("email") && d.status().equals("failed")));
      assertThat(mail.getReceivedMessages()).isEmpty();
    }
  }

  @Test
  void load_otherMasterKey_clearErrorDefaultConfigAndSecretsMustBeReentered() {
    try (Notifier n = notifier(key)) {
      assertThat(new NotifyApi(n).handle("PUT", "/api/v1/alerting/config", Map.of(), config(), "alice").status())
          .isEqualTo(200);
    }
    try (Notifier n = notifier(new TestCipher((byte) 8))) {
      NotifyApi api = new NotifyApi(n);
      Map<?, ?> got = (Map<?, ?>) api.handle("GET", "/api/v1/alerting/config", Map.of(), null, "alice").data();
      assertThat((String) got.get("error")).startsWith("the stored configuration's secrets cannot be opened (sealed "
          + "secret: altered, or sealed with another master key)");
      assertThat((String) got.get("config")).contains("auth_password: \"<secret>\"");
      assertThat(n.dispatcher().config().receivers()).containsOnlyKeys("default");
      Response back = api.handle("PUT", "/api/v1/alerting/config", Map.of(), (String) got.get("config"), "alice");
      assertThat(back.status()).isEqualTo(400);
      assertThat(back.error()).startsWith("receivers[0].email_configs[0].auth_password: <secret> but no value is stored");
      assertThat(api.handle("PUT", "/api/v1/alerting/config", Map.of(), config(), "alice").status()).isEqualTo(200);
      assertThat(api.handle("GET", "/api/v1/alerting/config", Map.of(), null, "alice").data().toString())
          .doesNotContain("error=");
    }
  }

  @Test
  void load_configStoredInTheClear_sealedOnLoadAndStillUsed() throws Exception {
    AlertingSchema.migrate(db);
    try (Connection c = db.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(
        "INSERT INTO notify_config (id, body, updated_at, updated_by) VALUES (1, ?, 0, 'legacy')")) {
      ps.setString(1, config());
      ps.executeUpdate();
    }
    try (Notifier n = notifier(key)) {
      assertThat(rawRow()).doesNotContain(SMTP_PASSWORD).doesNotContain(BEARER).contains("v1:").endsWith("legacy");
      Integration.Email e = (Integration.Email) n.dispatcher().config().receivers().get("ops").integrations().get(0);
      assertThat(e.authPassword()).isEqualTo(SMTP_PASSWORD);
    }
  }
}
