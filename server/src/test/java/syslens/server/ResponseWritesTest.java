package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.Appender;
import syslens.storage.Labels;

/**
 * A Prometheus API answer leaves the server in one write: headers and body in one system call,
 * so it reaches the client as one TCP segment and wakes it once (docs/benchmarks.md, 2026-12-02).
 *
 * <p>Checked from a plain socket on loopback: a segment arrives in the receive queue whole, so
 * the client's first read after sending a request returns everything the server wrote with one
 * call. A complete answer in the first read can therefore only fail if the server wrote it in
 * pieces; no timing is involved in passing. Written in two pieces (as before), the headers alone
 * arrive first and the reading thread is woken by them, so nearly every answer fails the check.
 */
class ResponseWritesTest {
  @TempDir static Path dir;
  static TestServer server;
  static String token;
  static final long T0 = 1_700_000_000_000L;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(10));
    token = server.login();
    Appender app = server.server.tsdb().appender();
    for (int i = 0; i <= 60; i++) {
      long t = T0 + i * 10_000L;
      app.append(Labels.of("__name__", "requests_total", "job", "api", "instance", "a"), t, i * 50.0);
      app.append(Labels.of("__name__", "requests_total", "job", "web", "instance", "b"), t, i * 20.0);
      app.append(Labels.of("__name__", "up", "job", "api", "instance", "a"), t, 1);
    }
    app.commit();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void prometheusApi_answerArrivesInOneRead() throws Exception {
    String range = "&start=" + T0 / 1000 + "&end=" + (T0 + 600_000) / 1000 + "&step=60";
    // Each connection's first answer, new query shapes (evaluated on the query threads), the same
    // shapes again (evaluated on the event loop once known as small), metadata and an error.
    List<String> paths = List.of(
        "/api/v1/query_range?query=" + TestServer.enc("sum by (job) (rate(requests_total[5m]))") + range,
        "/api/v1/query_range?query=" + TestServer.enc("count(up)") + range,
        "/api/v1/query?query=" + TestServer.enc("up") + "&time=" + (T0 + 600_000) / 1000,
        "/api/v1/labels",
        "/api/v1/series?match[]=" + TestServer.enc("up"),
        "/api/v1/query?query=" + TestServer.enc("up{"));
    List<String> split = new ArrayList<>();
    int answers = 0;
    for (int connection = 0; connection < 3; connection++) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
        s.setSoTimeout(30_000);
        for (int round = 0; round < 4; round++) {
          for (String path : paths) {
            Answer a = exchange(s, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\n\r\n");
            assertThat(a.status).as(path).isIn(200, 400);
            answers++;
            if (a.reads > 1) {
              split.add("connection " + connection + " round " + round + " " + path + ": first read "
                  + a.firstRead + " of " + a.length + " bytes");
            }
          }
          String form = "query=" + TestServer.enc("count(up)") + range;
          Answer post = exchange(s, "POST /api/v1/query_range HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + token + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
              + form.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + form);
          assertThat(post.status).isEqualTo(200);
          answers++;
          if (post.reads > 1) {
            split.add("connection " + connection + " round " + round + " POST: first read " + post.firstRead + " of "
                + post.length + " bytes");
          }
        }
      }
    }
    assertThat(answers).isEqualTo(3 * 4 * 7);
    assertThat(split).as("answers that took more than one read (written in pieces)").isEmpty();
  }

  private record Answer(int status, int reads, int firstRead, int length) {}

  /** Sends one request and reads its answer (Content-Length framed); counts the reads it took. */
  private static Answer exchange(Socket s, String request) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(request.getBytes(StandardCharsets.UTF_8));
    out.flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[256 * 1024];
    int reads = 0;
    int firstRead = 0;
    int total = -1;
    while (total < 0 || got.size() < total) {
      int n = in.read(buf);
      assertThat(n).as("connection closed after %s bytes", got.size()).isPositive();
      if (reads++ == 0) {
        firstRead = n;
      }
      got.write(buf, 0, n);
      String text = got.toString(StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (total < 0 && end >= 0) {
        total = end + 4 + contentLength(text.substring(0, end));
      }
    }
    assertThat(got.size()).as("bytes beyond the answer").isEqualTo(total);
    String head = got.toString(StandardCharsets.ISO_8859_1);
    return new Answer(Integer.parseInt(head.substring(9, 12)), reads, firstRead, total);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    throw new AssertionError("no content-length in " + head);
  }
}
