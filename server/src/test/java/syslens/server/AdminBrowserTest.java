package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the administration pages in Debian's headless Chromium (dashboard/e2e/admin-e2e.mjs)
 * under the server's real Content-Security-Policy: an admin creates a user, the role editor shows
 * a separation-of-duties conflict before saving, an API key is shown once, the audit viewer lists
 * those actions with an intact hash chain; a one-time enrollment token is shown once, listed and
 * revoked. Screenshots stay in server/target/screenshots/admin-*.png.
 */
class AdminBrowserTest {
  @TempDir Path dir;

  @Test
  void admin_createUserRoleConflictApiKeyAudit_inTheBrowser() throws Exception {
    Assumptions.assumeFalse(Boolean.getBoolean("syslens.skipBrowserTests"), "browser tests skipped by request");
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    assertThat(Files.isExecutable(chromium))
        .as("Chromium at " + chromium + " (install: apt-get install chromium; or -Dsyslens.skipBrowserTests=true)")
        .isTrue();
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path shots = Path.of("target/screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    Path log = shots.resolve("admin-e2e.log");
    try (TestServer s = new TestServer(dir, Duration.ofSeconds(10))) {
      assertThat(s.get("/", null).statusCode()).as("the dashboard is built into the server jar (run Maven "
          + "without -Dnpm.executable=true)").isEqualTo(200);
      ProcessBuilder pb = new ProcessBuilder("node", repo.resolve("dashboard/e2e/admin-e2e.mjs").toString())
          .directory(repo.resolve("dashboard").toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().put("BASE_URL", s.base() + "/");
      pb.environment().put("SYSLENS_USER", "admin");
      pb.environment().put("SYSLENS_PASSWORD", TestServer.PASSWORD);
      pb.environment().put("CHROMIUM", chromium.toString());
      pb.environment().put("SCREENSHOT_DIR", shots.toString());
      Process p = pb.start();
      boolean finished = p.waitFor(150, TimeUnit.SECONDS);
      if (!finished) {
        p.destroyForcibly();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(finished).as("admin e2e finished within 150 s; output:\n" + out).isTrue();
      assertThat(p.exitValue()).as("admin e2e exit status; output:\n" + out).isZero();
      assertThat(out).contains("admin-e2e: 1 passed, 0 failed");
      assertThat(shots.resolve("admin-role-conflict.png")).isNotEmptyFile();
    }
  }
}
