package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Appender;
import syslens.storage.Labels;

/**
 * Report schedules over REST on a real server: persisted across a restart, run now into a real
 * SMTP server (GreenMail) in each recipient's language with the PDF and a link, within the
 * owner's scope, audited; bad input answers 400 naming the field; other users' schedules 403.
 */
class ReportSchedulesServerTest {
  @TempDir
  static Path dir;
  static TestServer server;
  static GreenMail mail;
  static String admin;
  static final String PW = "Schedules-passw0rd-long";

  @BeforeAll
  static void start() throws Exception {
    mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    mail.start();
    server = new TestServer(dir.resolve("data"), Duration.ofSeconds(10));
    admin = server.login();
    long now = System.currentTimeMillis();
    Appender a = server.server.tsdb().appender();
    for (String[] n : new String[][] {{"a1", "team-a"}, {"b1", "team-b"}}) {
      Labels l = Labels.of("__name__", "vsphere_vm_cpu_usage_ratio", "node", n[0], "group", n[1]);
      for (long t = now - 9 * 86_400_000L; t <= now; t += 600_000) {
        a.append(l, t, 0.5);
      }
    }
    a.commit();
    HttpResponse<String> cfg = send("PUT", "/api/v1/alerting/config", """
        global: {smtp_from: syslens@example.org, smtp_smarthost: '127.0.0.1:%d', smtp_require_tls: false,
                 external_url: 'https://syslens.example.org'}
        route: {receiver: default}
        receivers: [{name: default}]
        """.formatted(mail.getSmtp().getPort()), "application/yaml", admin);
    assertThat(cfg.statusCode()).as(cfg.body()).isEqualTo(200);
    assertThat(server.put("/api/v1/roles/team-a", "{\"parents\":[\"operator\"],\"scopes\":[\"{group=\\\"team-a\\\"}\"]}",
        admin).statusCode()).isEqualTo(200);
    user("alice", "team-a", "zh-CN");
    user("bob", "viewer", "en");
    user("carol", "viewer", "ja-JP"); // no e-mail address: not mailed as a member of viewer
    assertThat(server.put("/api/v1/me/email", "{\"email\": \"alice@example.org\"}", login("alice")).statusCode())
        .isEqualTo(200);
    assertThat(server.put("/api/v1/me/email", "{\"email\": \"bob@example.org\"}", login("bob")).statusCode())
        .isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    server.server.close();
    mail.stop();
  }

  static void user(String name, String role, String language) throws Exception {
    HttpResponse<String> r = server.post("/api/v1/users", "{\"username\":\"" + name + "\",\"password\":\"" + PW
        + "\",\"role\":\"" + role + "\",\"language\":\"" + language + "\",\"mustChangePassword\":false}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  static String login(String name) throws Exception {
    HttpResponse<String> r = server.post("/api/v1/auth/login", "{\"username\":\"" + name + "\",\"password\":\"" + PW
        + "\"}", null);
    return TestServer.JSON.readTree(r.body()).get("token").asText();
  }

  static HttpResponse<String> send(String method, String path, String body, String type, String token) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.base() + path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", type).header("Authorization", "Bearer " + token)
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static final String WEEKLY = "{\"name\": \"Weekly utilization\", \"cadence\": \"weekly\", \"day\": 1, \"at\": \"07:30\", "
      + "\"timezone\": \"Asia/Shanghai\", \"kind\": \"utilization\", \"language\": \"zh-CN\", \"recipients\": "
      + "[{\"user\": \"alice\"}, {\"group\": \"viewer\"}, {\"address\": \"cfo@example.org\", \"language\": \"ja-JP\"}]}";

  static JsonNode data(HttpResponse<String> r) throws Exception {
    return TestServer.JSON.readTree(r.body()).path("data");
  }

  static MimeMessage to(String address) throws Exception {
    for (MimeMessage m : mail.getReceivedMessages()) {
      if (m.getAllRecipients()[0].toString().equals(address)) {
        return m;
      }
    }
    throw new AssertionError("no mail to " + address);
  }

  @Test
  void schedule_runNowMailsEveryRecipientInTheirLanguageWithinTheOwnersScopeAndSurvivesARestart() throws Exception {
    String alice = login("alice");
    HttpResponse<String> created = server.post("/api/v1/report-schedules", WEEKLY, alice);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = data(created).path("id").asText();
    assertThat(data(created).path("nextRun").asText()).endsWith(":30:00Z");

    HttpResponse<String> run = server.post("/api/v1/report-schedules/" + id + "/run", "", alice);
    assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
    assertThat(data(run).path("sent")).hasSize(3);
    assertThat(data(run).path("failed").isEmpty()).isTrue();
    String report = data(run).path("report").asText();
    assertThat(mail.waitForIncomingEmail(30_000, 3)).isTrue();
    assertThat(to("alice@example.org").getSubject()).startsWith("基础设施报告");
    assertThat(to("bob@example.org").getSubject()).startsWith("Infrastructure report");
    MimeMessage cfo = to("cfo@example.org");
    assertThat(cfo.getSubject()).startsWith("インフラストラクチャ");
    Multipart parts = (Multipart) cfo.getContent();
    assertThat((String) parts.getBodyPart(0).getContent()).contains("https://syslens.example.org/#/reports/" + report);
    try (InputStream in = parts.getBodyPart(1).getInputStream()) {
      assertThat(new String(in.readNBytes(5), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    }
    // Computed over what alice may see (team-a), kept in her history and readable by bob, whom it was sent to.
    JsonNode entry = data(server.get("/api/v1/reports/" + report, alice));
    assertThat(entry.path("nodes").asInt()).isEqualTo(1);
    assertThat(entry.path("schedule").asText()).isEqualTo(id);
    assertThat(server.get("/api/v1/reports/" + report + "/file", login("bob")).statusCode()).isEqualTo(200);
    assertThat(server.get("/api/v1/reports/" + report, admin).statusCode()).isEqualTo(404);
    String audit = server.get("/api/v1/audit?limit=200", admin).body();
    assertThat(audit).contains("report.schedule.created", "report.schedule.run", "report.scheduled.sent");

    // Other users' schedules: 403, and not listed.
    assertThat(server.get("/api/v1/report-schedules/" + id, admin).statusCode()).isEqualTo(403);
    assertThat(server.delete("/api/v1/report-schedules/" + id, admin).statusCode()).isEqualTo(403);
    assertThat(server.post("/api/v1/report-schedules/" + id + "/run", "", admin).statusCode()).isEqualTo(403);
    assertThat(data(server.get("/api/v1/report-schedules", admin))).isEmpty();

    server.restart();
    alice = login("alice");
    JsonNode listed = data(server.get("/api/v1/report-schedules", alice));
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).path("id").asText()).isEqualTo(id);
    assertThat(listed.get(0).path("timezone").asText()).isEqualTo("Asia/Shanghai");
    assertThat(listed.get(0).path("recipients")).hasSize(3);
    assertThat(listed.get(0).path("nextRun").asText()).isNotEmpty();

    HttpResponse<String> updated = server.put("/api/v1/report-schedules/" + id, WEEKLY.replace("\"day\": 1", "\"day\": 5"),
        alice);
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    assertThat(data(updated).path("day").asInt()).isEqualTo(5);
    assertThat(server.delete("/api/v1/report-schedules/" + id, alice).statusCode()).isEqualTo(200);
    assertThat(server.get("/api/v1/report-schedules/" + id, alice).statusCode()).isEqualTo(404);
  }

  @Test
  void post_badInputAnswers400NamingTheField() throws Exception {
    String alice = login("alice");
    String[][] cases = {
        {WEEKLY.replace("\"weekly\"", "\"hourly\""), "cadence: \"hourly\" (expected: daily, weekly or monthly)"},
        {WEEKLY.replace("\"day\": 1", "\"day\": 8"), "day: 8 (expected: 1 = Monday to 7 = Sunday"},
        {WEEKLY.replace("\"weekly\", \"day\": 1", "\"monthly\", \"day\": 31"), "day: 31 (expected: 1 to 28"},
        {WEEKLY.replace("07:30", "25:00"), "at: \"25:00\" (expected: a local time HH:MM"},
        {WEEKLY.replace("Asia/Shanghai", "Mars/Olympus"), "timezone: \"Mars/Olympus\" (expected: an IANA zone"},
        {WEEKLY.replaceAll("\"recipients\": \\[.*\\]", "\"recipients\": []"), "recipients: empty (expected: 1 to 50"},
        {WEEKLY.replace("\"user\": \"alice\"", "\"user\": \"nobody\""), "recipient user \"nobody\": no such user"},
        {WEEKLY.replace("\"user\": \"alice\"", "\"user\": \"carol\""), "recipient user carol: no e-mail address"},
        {WEEKLY.replace("\"group\": \"viewer\"", "\"group\": \"no-role\""), "recipient group \"no-role\": no such role"},
        {WEEKLY.replace("cfo@example.org", "not-an-address"), "recipients[2]: recipient address: \"not-an-address\""},
        {WEEKLY.replace("\"utilization\"", "\"sales\""), "kind"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = server.post("/api/v1/report-schedules", c[0], alice);
      assertThat(r.statusCode()).as(c[0] + " -> " + r.body()).isEqualTo(400);
      assertThat(r.body()).as(c[0]).contains("\"errorType\":\"bad_data\"", c[1].replace("\"", "\\\""));
    }
    assertThat(data(server.get("/api/v1/report-schedules", alice)).size()).isLessThanOrEqualTo(1);
    HttpResponse<String> email = server.put("/api/v1/me/email", "{\"email\": \"no address\"}", alice);
    assertThat(email.statusCode()).isEqualTo(400);
    assertThat(email.body()).contains("email: \\\"no address\\\" (expected: an address");
  }
}
