package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
  private static int run(StringWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println("syslens: " + ex.getMessage());
      return 1;
    });
    return cl.execute(args);
  }

  @Test
  void help_exitsZero() {
    assertThat(run(new StringWriter(), "server", "--help")).isZero();
  }

  @Test
  void unknownOption_isUsageErrorNamingIt() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "server", "--bogus")).isEqualTo(2);
    assertThat(err.toString()).contains("--bogus");
  }

  @Test
  void badInterval_failsWithReason() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "server", "--port", "1", "--collect-interval", "soon")).isEqualTo(1);
    assertThat(err.toString()).contains("--collect-interval: soon (expected: a duration like 500ms, 10s, 1m)");
  }

  @Test
  void parseDuration_units() {
    assertThat(Main.parseDuration("x", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Main.parseDuration("x", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> Main.parseDuration("x", "50ms")).hasMessageContaining("expected: >= 100ms");
  }

  @Test
  void firstFreePort_skipsTakenPorts() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int p = taken.getLocalPort();
      assertThat(Main.firstFreePort("127.0.0.1", p, p + 5)).isGreaterThan(p);
      assertThatThrownBy(() -> Main.firstFreePort("127.0.0.1", p, p)).hasMessageContaining("all in use");
    }
  }
}
