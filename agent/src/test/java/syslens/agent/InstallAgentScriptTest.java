package syslens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** packaging/install-agent.sh in a temp root and in dry-run mode (no user, no systemctl). */
class InstallAgentScriptTest {

  static final Path SCRIPT = Path.of("packaging/install-agent.sh").toAbsolutePath();
  static final String TOKEN = "mn4WVJC96gRMWED1sdzxkQxvXDtEn4zsNhURs5V6dIE";

  @TempDir
  Path tmp;

  record Run(int status, String out) {}

  private Run run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  private Path jar() throws IOException {
    return Files.writeString(tmp.resolve("syslens-agent-all.jar"), "not really a jar");
  }

  @Test
  void install_tempRoot_filesConfigAndUnit() throws Exception {
    Path root = tmp.resolve("root");
    Path ca = Files.writeString(tmp.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");

    Run r = run("--server", "monitor.example.com:8443", "--token", TOKEN, "--ca-file", ca.toString(),
        "--jar", jar().toString(), "--node-id", "web-1", "--label", "env=prod", "--java", "/usr/bin/java",
        "--root", root.toString());

    assertThat(r.status()).as(r.out()).isZero();
    assertThat(root.resolve("opt/syslens-agent/syslens-agent.jar")).hasContent("not really a jar");
    assertThat(Files.readAllLines(root.resolve("etc/syslens-agent/agent.args"))).containsSubsequence(
        "--server", "monitor.example.com:8443", "--ca-file", "/etc/syslens-agent/ca.crt",
        "--token-file", "/etc/syslens-agent/token", "--state-dir", "/var/lib/syslens-agent",
        "--node-id", "web-1", "--label", "env=prod");
    Path token = root.resolve("etc/syslens-agent/token");
    assertThat(token).hasContent(TOKEN);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-r-----");
    assertThat(root.resolve("etc/syslens-agent/ca.crt")).exists();
    String unit = Files.readString(root.resolve("etc/systemd/system/syslens-agent.service"));
    assertThat(unit).contains("ExecStart=/usr/bin/java -XX:+UseSerialGC", "User=syslens-agent",
        "@/etc/syslens-agent/agent.args", "RestartPreventExitStatus=3").doesNotContain("@JAVA@");
    assertThat(r.out()).contains("no user created, systemctl not called");
  }

  @Test
  void install_dryRun_printsStepsChangesNothingHidesToken() throws Exception {
    Run r = run("--server", "10.0.0.5:8443", "--token", TOKEN, "--ca-fingerprint", "ab".repeat(32),
        "--jar", jar().toString(), "--dry-run");

    assertThat(r.status()).as(r.out()).isZero();
    assertThat(r.out()).contains("would run: install -m 0644", "/opt/syslens-agent/syslens-agent.jar",
        "would run: systemctl enable syslens-agent.service", "--ca-fingerprint", "<hidden>")
        .doesNotContain(TOKEN);
    assertThat(Files.list(tmp)).hasSize(1); // only the jar: nothing installed
  }

  @Test
  void script_shellcheck_noFindings() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/shellcheck")),
        "needs Debian's shellcheck (.ci/run installs it)");
    Process p = new ProcessBuilder("shellcheck", SCRIPT.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void install_badArguments_exit2NamingTheProblem() throws Exception {
    String jar = jar().toString();
    assertThat(run("--server", "nohost", "--token", TOKEN, "--ca-fingerprint", "ab".repeat(32), "--jar", jar,
        "--dry-run")).satisfies(r -> {
          assertThat(r.status()).isEqualTo(2);
          assertThat(r.out()).contains("--server: 'nohost' (expected: HOST:PORT");
        });
    assertThat(run("--server", "h:1", "--token", TOKEN, "--jar", jar, "--dry-run").out())
        .contains("neither given (expected: one; the agent always uses TLS)");
    assertThat(run("--server", "h:1", "--ca-fingerprint", "ab".repeat(32), "--jar", jar, "--dry-run").out())
        .contains("--token: none");
    assertThat(run("--server", "h:1", "--token", "x y", "--ca-fingerprint", "ab".repeat(32), "--jar", jar,
        "--dry-run").out()).contains("--token: not a token");
  }
}
