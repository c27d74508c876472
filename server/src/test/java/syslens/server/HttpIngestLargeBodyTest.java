package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest doors take bodies up to their own limits (default 32 MiB for the text import), not the
 * server's 1 MiB limit for every other route.
 */
class HttpIngestLargeBodyTest {
  @TempDir Path dir;

  @Test
  void import_bodyOverTheServerWideLimitUnderItsOwn_isStored() throws Exception {
    StringBuilder text = new StringBuilder();
    int lines = 0;
    while (text.length() < 2_500_000) {
      text.append("large_import_metric{i=\"").append(lines).append("\",pad=\"")
          .append("x".repeat(40)).append("\"} ").append(lines).append('\n');
      lines++;
    }
    try (TestServer server = new TestServer(dir, Duration.ofSeconds(10))) {
      String admin = server.login();
      HttpResponse<String> r = server.post("/api/v1/import/prometheus", text.toString(), admin);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(TestServer.JSON.readTree(r.body()).at("/data/accepted").asInt()).isEqualTo(lines);
      HttpResponse<String> count = server.get("/api/v1/query?query=count(large_import_metric)", admin);
      assertThat(TestServer.JSON.readTree(count.body()).at("/data/result/0/value/1").asText())
          .isEqualTo(Integer.toString(lines));

      // HTTP/1.1: the JDK client's h2c stream can lose a 413 to the stream reset after it.
      HttpResponse<String> login = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
          HttpRequest.newBuilder(URI.create(server.base() + "/api/v1/auth/login"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + "a".repeat(1_100_000) + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).as("other routes keep the 1 MiB limit").isEqualTo(413);
    }
  }
}
