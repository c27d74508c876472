package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code syslens admin audit verify} on a stopped server's data directory. */
class AuditVerifyCliTest {
  @TempDir Path dir;

  private static int verify(Path data) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(new StringWriter()));
    return cl.execute("admin", "audit", "verify", "--data", data.toString());
  }

  @Test
  void verify_intactLog_exitsZero_tamperedRecord_exitsFour() throws Exception {
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10))) {
      s.login();
      s.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\"wrong\"}", null);
    }
    assertThat(verify(dir)).isZero();
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("meta/syslens"), "syslens", "");
        Statement st = c.createStatement()) {
      assertThat(st.executeUpdate("UPDATE audit_log SET source = '10.6.6.6' WHERE action = 'login.failed'"))
          .isPositive();
    }
    assertThat(verify(dir)).isEqualTo(AuditCommand.Verify.EXIT_TAMPERED);
  }
}
