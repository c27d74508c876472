package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs one browser check of dashboard/e2e (a script on the shared e2e/harness.mjs) in Debian's
 * headless Chromium against a test server, as admin, and asserts it passed. Its log and
 * screenshots stay in server/target/screenshots/. Needs /usr/bin/chromium and Node;
 * -Dsyslens.skipBrowserTests=true skips it.
 */
final class BrowserE2E {
  private BrowserE2E() {}

  /** The screenshot directory. */
  static Path shots() throws java.io.IOException {
    Path shots = Path.of("target/screenshots").toAbsolutePath();
    Files.createDirectories(shots);
    return shots;
  }

  static void run(TestServer s, String script, Map<String, String> env, int timeoutSeconds) throws Exception {
    Assumptions.assumeFalse(Boolean.getBoolean("syslens.skipBrowserTests"), "browser tests skipped by request");
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    assertThat(Files.isExecutable(chromium))
        .as("Chromium at " + chromium + " (install: apt-get install chromium; or -Dsyslens.skipBrowserTests=true)")
        .isTrue();
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path log = shots().resolve(script.replace(".mjs", ".log"));
    ProcessBuilder pb = new ProcessBuilder("node", repo.resolve("dashboard/e2e").resolve(script).toString())
        .directory(repo.resolve("dashboard").toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("BASE_URL", s.base() + "/");
    pb.environment().put("SYSLENS_USER", "admin");
    pb.environment().put("SYSLENS_PASSWORD", TestServer.PASSWORD);
    pb.environment().put("CHROMIUM", chromium.toString());
    pb.environment().put("SHOT_DIR", shots().toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as("e2e script finished within " + timeoutSeconds + " s; output:\n" + out).isTrue();
    assertThat(p.exitValue()).as("e2e script exit status; output:\n" + out).isZero();
    assertThat(out).contains("e2e: 1 passed, 0 failed");
  }
}
