package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.alerting.notify.Model.Delivery;
import syslens.alerting.notify.TestSupport.MutableClock;

/**
 * Mail over STARTTLS to a real SMTP server that refuses mail before STARTTLS: Debian's aiosmtpd
 * ({@code python3-aiosmtpd}, installed by {@code .ci/run}) on loopback with a certificate made by
 * openssl, delivering into a Maildir. GreenMail (MailTest) cannot offer STARTTLS.
 */
class StarttlsMailTest {
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  @TempDir static Path dir;
  static Process smtpd;
  static int port;

  @BeforeAll
  static void startSmtpd() throws Exception {
    cert("server", "localhost");
    cert("other", "localhost");
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    smtpd = new ProcessBuilder("/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + port,
        "--tlscert", dir.resolve("server.crt").toString(), "--tlskey", dir.resolve("server.key").toString(),
        "-c", "aiosmtpd.handlers.Mailbox", dir.resolve("maildir").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("smtpd.log").toFile()).start();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
      assertThat(smtpd.isAlive()).as("aiosmtpd exited: %s", log()).isTrue();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }

  @AfterAll
  static void stopSmtpd() throws Exception {
    if (smtpd != null) {
      smtpd.destroy();
      smtpd.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static void cert(String name, String cn) throws Exception {
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-days", "2", "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".crt").toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("openssl: %s", out).isZero();
  }

  private static String log() throws IOException {
    return Files.readString(dir.resolve("smtpd.log"));
  }

  private static Notifier notifier(String caFile) {
    String config = """
        route: {receiver: ops, group_wait: 0s}
        receivers:
        - name: ops
          email_configs: [{to: ops@example.org, from: syslens@example.org, smarthost: '127.0.0.1:%d',
                           require_tls: true, tls_config: {ca_file: '%s'}}]
        """.formatted(port, caFile);
    return Notifier.builder(TestSupport.h2()).clock(new MutableClock(T0)).initialConfig(config)
        .userLanguage(UserLanguage.none()).retry(1, Duration.ofMillis(10), Duration.ofMillis(10)).build();
  }

  private static List<MimeMessage> received() throws IOException {
    Path inbox = dir.resolve("maildir/new");
    if (!Files.isDirectory(inbox)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(inbox)) {
      return files.map(f -> {
        try (InputStream in = Files.newInputStream(f)) {
          return new MimeMessage(Session.getInstance(new Properties()), in);
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }).toList();
    }
  }

  @Test
  void mail_serverRequiresStarttls_deliveredAfterUpgradeTrustingCaFile() throws Exception {
    int before = received().size();
    try (Notifier n = notifier(dir.resolve("server.crt").toString())) {
      n.send(List.of(TestSupport.firing(T0, "alertname", "DiskFull", "instance", "db-1")));
      n.tick();
      await().atMost(Duration.ofSeconds(20))
          .failFast("delivery failed", () -> n.store().deliveries("ops", T0, T0.plusSeconds(9), 5).stream()
              .anyMatch(d -> d.status().equals("failed")))
          .until(() -> received().size() == before + 1);
    }
    assertThat(received()).anySatisfy(m -> assertThat(m.getSubject()).startsWith("[FIRING:1] DiskFull"));
  }

  @Test
  void mail_certificateNotFromCaFile_refusedNamingTheCertificateProblem() throws Exception {
    int before = received().size();
    try (Notifier n = notifier(dir.resolve("other.crt").toString())) {
      n.send(List.of(TestSupport.firing(T0, "alertname", "Untrusted")));
      n.tick();
      await().atMost(Duration.ofSeconds(20)).until(() -> !n.store().deliveries("ops", T0, T0.plusSeconds(9), 5).isEmpty());
      Delivery d = n.store().deliveries("ops", T0, T0.plusSeconds(9), 5).get(0);
      assertThat(d.status()).isEqualTo("failed");
      assertThat(d.error()).containsIgnoringCase("trust anchors");
    }
    assertThat(received()).hasSize(before);
  }

  @Test
  void config_caFileMissing_refusedNamingTheField() {
    assertThatThrownBy(() -> notifier(dir.resolve("nope.crt").toString()))
        .hasMessageContaining("email_configs[0].tls_config.ca_file").hasMessageContaining("expected: a readable PEM file");
  }
}
