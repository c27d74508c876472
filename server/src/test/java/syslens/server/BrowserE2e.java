package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs one of dashboard/e2e's browser scripts (Playwright in Debian's headless Chromium) against a
 * test server, the part every *BrowserTest shares: skip on {@code -Dsyslens.skipBrowserTests=true},
 * check Chromium is there, pass the server's URL and admin password, keep the output in
 * {@code server/target/screenshots/<script>.log} beside the screenshots, and fail with that output
 * unless the script ends with "e2e: 1 passed, 0 failed" within the time allowed.
 */
final class BrowserE2e {
  static final Path SHOTS = Path.of("target/screenshots").toAbsolutePath();

  private BrowserE2e() {}

  /** The Chromium binary, or a skipped test when browser tests are switched off. */
  static Path chromium() {
    Assumptions.assumeFalse(Boolean.getBoolean("syslens.skipBrowserTests"), "browser tests skipped by request");
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    assertThat(Files.isExecutable(chromium))
        .as("Chromium at " + chromium + " (install: apt-get install chromium; or -Dsyslens.skipBrowserTests=true)")
        .isTrue();
    return chromium;
  }

  /**
   * Runs {@code dashboard/e2e/<script>} against {@code s} with {@code env} added; returns its output.
   * @param passLine the line that says it passed (scripts on harness.mjs print "e2e: 1 passed, 0 failed")
   */
  static String run(TestServer s, String script, Map<String, String> env, Duration timeout, String passLine)
      throws Exception {
    Path chromium = chromium();
    Path repo = Path.of("").toAbsolutePath().getParent();
    Files.createDirectories(SHOTS);
    Path log = SHOTS.resolve(script.replace(".mjs", ".log"));
    ProcessBuilder pb = new ProcessBuilder("node", repo.resolve("dashboard/e2e").resolve(script).toString())
        .directory(repo.resolve("dashboard").toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("BASE_URL", s.base() + "/");
    pb.environment().put("SYSLENS_USER", "admin");
    pb.environment().put("SYSLENS_PASSWORD", TestServer.PASSWORD);
    pb.environment().put("CHROMIUM", chromium.toString());
    pb.environment().put("SHOT_DIR", SHOTS.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean finished = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as(script + " finished within " + timeout.toSeconds() + " s; output:\n" + out).isTrue();
    assertThat(p.exitValue()).as(script + " exit status; output:\n" + out).isZero();
    assertThat(out).contains(passLine);
    return out;
  }

  static String run(TestServer s, String script, Map<String, String> env, Duration timeout) throws Exception {
    return run(s, script, env, timeout, "e2e: 1 passed, 0 failed");
  }
}
