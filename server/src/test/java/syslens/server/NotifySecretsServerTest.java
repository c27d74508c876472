package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notification config's secrets in the whole server: sealed with the master key from
 * {@code SYSLENS_MASTER_KEY} (no key file then), masked on read, and a restart under another key
 * reports the problem instead of failing.
 */
class NotifySecretsServerTest {
  static final String SMTP_PASSWORD = "Server-Smtp-Secret-42";
  @TempDir Path dir;

  @Test
  void alertingConfig_sealedWithEnvironmentMasterKey_otherKeyReportedNotFatal() throws Exception {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) 5);
    String key = Base64.getUrlEncoder().withoutPadding().encodeToString(k);
    String yaml = """
        route: {receiver: ops}
        receivers:
        - name: ops
          email_configs: [{to: ops@example.org, from: s@example.org, smarthost: '127.0.0.1:2525',
                           auth_username: ops, auth_password: '%s'}]
        """.formatted(SMTP_PASSWORD);
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10), null, b -> b.masterKey(key))) {
      String admin = s.login();
      HttpResponse<String> put = s.put("/api/v1/alerting/config", yaml, admin);
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      String got = s.get("/api/v1/alerting/config", admin).body();
      assertThat(got).contains("auth_password: \\\"<secret>\\\"").doesNotContain(SMTP_PASSWORD);
      assertThat(s.get("/api/v1/audit?action=alerting.config&limit=10", admin).body()).doesNotContain(SMTP_PASSWORD)
          .contains("secrets changed: [receivers/ops/email_configs/0/auth_password]");
      assertThat(dir.resolve("secrets/master-key")).as("the key came from the environment").doesNotExist();
    }
    byte[] db = Files.readAllBytes(dir.resolve("meta/syslens.mv.db"));
    assertThat(new String(db, StandardCharsets.ISO_8859_1)).doesNotContain(SMTP_PASSWORD);
    // Without SYSLENS_MASTER_KEY a new key file is made: the stored secrets cannot be opened with
    // it, which the config API reports while the server runs on.
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10), null)) {
      String body = s.get("/api/v1/alerting/config", s.login()).body();
      assertThat(body).contains("cannot be opened", "another master key").doesNotContain(SMTP_PASSWORD);
    }
  }
}
