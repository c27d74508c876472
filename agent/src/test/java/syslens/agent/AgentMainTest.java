package syslens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMainTest {

  private static final String PIN =
      "3f1a9c0b7e2d4f6a8b1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a";
  private static final Map<String, String> TOKEN_ENV = Map.of(AgentMain.TOKEN_ENV, "t0ken");

  @TempDir
  Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, String... args) {
    return AgentMain.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private static String[] with(String... args) {
    List<String> all = new ArrayList<>(List.of("--ca-fingerprint", PIN));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  @Test
  void collectOptions_argFile_scrapeCommandAndCollectorSettings() throws Exception {
    Path args = Files.writeString(tmp.resolve("agent.args"), String.join("\n", "# written by a test", "--ca-fingerprint", PIN,
        "--scrape", "app=http://127.0.0.1:9100/metrics", "--command", "queue=json:/usr/local/bin/queue-stats --all",
        "--command-timeout", "5s", "--disable-collector", "hwmon,processes", "--top-processes", "3"));
    AgentMain main = new AgentMain(TOKEN_ENV, AgentArgs.parse("@" + args));

    var config = main.collectConfig();

    assertThat(config.scrapeTargets()).singleElement()
        .satisfies(t -> assertThat(t.url().toString()).isEqualTo("http://127.0.0.1:9100/metrics"));
    assertThat(config.commands()).singleElement().satisfies(c -> {
      assertThat(c.argv()).containsExactly("/usr/local/bin/queue-stats", "--all");
      assertThat(c.format()).isEqualTo(syslens.agent.collect.CommandSource.Format.JSON);
      assertThat(c.timeout()).isEqualTo(java.time.Duration.ofSeconds(5));
    });
    assertThat(config.disabled()).containsExactlyInAnyOrder("hwmon", "processes");
    assertThat(config.topProcesses()).isEqualTo(3);
  }

  @Test
  void collectOptions_bad_usageErrorsNamingTheValue() {
    assertThat(run(TOKEN_ENV, with("--command", "x=yaml:/bin/true"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--command: x=yaml:/bin/true (expected: NAME=json:COMMAND or NAME=prometheus:COMMAND)");
    assertThat(run(TOKEN_ENV, with("--disable-collector", "nosuch"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("disabled collector: nosuch (expected one of:");
    assertThat(run(TOKEN_ENV, with("--scrape", "a=ftp://h/x"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--scrape: scrape target a: url ftp://h/x (expected: http(s)://host:port/path)");
    assertThat(run(TOKEN_ENV, with("--mount-timeout", "soon"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--mount-timeout: soon");
  }

  @Test
  void interval_zero_usageErrorNamingValueAndMinimum() {
    assertThat(run(TOKEN_ENV, with("--interval", "0s"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--interval: 0s (expected: >= 100ms)");
  }

  @Test
  void interval_garbage_usageError() {
    assertThat(run(TOKEN_ENV, with("--interval", "ten"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--interval: ten (expected: e.g. 10s, 500ms, 1m)");
  }

  @Test
  void trust_missingOrBoth_usageError() {
    assertThat(run(TOKEN_ENV)).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--ca-file / --ca-fingerprint: neither given");

    assertThat(run(TOKEN_ENV, with("--ca-file", "/etc/hostname"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("both given (expected: exactly one");
  }

  @Test
  void fingerprint_malformed_usageError() {
    assertThat(run(TOKEN_ENV, "--ca-fingerprint", "abc")).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--ca-fingerprint: abc (expected: SHA-256 as 64 hex");
  }

  @Test
  void token_missing_usageErrorPointingToFileOrEnv() {
    assertThat(run(Map.of(), with())).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--token-file PATH or $SYSLENS_ENROLLMENT_TOKEN");
  }

  @Test
  void token_emptyFile_usageError() throws Exception {
    Path empty = Files.writeString(tmp.resolve("token"), "\n");
    assertThat(run(Map.of(), with("--token-file", empty.toString())))
        .isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("is empty");
  }

  @Test
  void server_badAddress_usageError() {
    assertThat(run(TOKEN_ENV, with("--server", "nohostport"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--server: nohostport (expected: host:port)");
  }

  @Test
  void label_badName_usageError() {
    assertThat(run(TOKEN_ENV, with("--label", "__x=1"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--label: __x=1");
  }

  @Test
  void validOptions_buildAgentWithThem() throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), "from-file\n");
    AgentMain main = new AgentMain(Map.of(), AgentArgs.parse(with("--token-file=" + token,
        "--interval", "1m30s", "--node-id", "n1", "--label", "dc=eu", "--server", "h:9443")));

    try (Agent agent = main.buildAgent()) {
      assertThat(agent.interval()).hasSeconds(90);
      assertThat(agent.nodeId()).isEqualTo("n1");
    }
  }

  @Test
  void versionAndHelp_exitZero() {
    assertThat(run(Map.of(), "--version")).isZero();
    assertThat(out.toString()).startsWith("syslens-agent ");
    assertThat(run(Map.of(), "-h")).isZero();
    assertThat(out.toString()).contains("--ca-fingerprint", "--token-file", "--proc-root",
        "--sys-root", "--label", "--node-id", "--interval", "--server", "Default: 127.0.0.1:8080.");
  }

  @Test
  void options_unknownMissingValueOrNotANumber_usageErrorNamingIt() {
    assertThat(run(TOKEN_ENV, with("--no-such-option"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("unknown option: '--no-such-option'", "Try 'syslens-agent --help'");
    assertThat(run(TOKEN_ENV, with("--node-id"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--node-id: missing value (expected: ID)");
    assertThat(run(TOKEN_ENV, with("--top-processes", "many"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--top-processes: 'many' (expected: N, a whole number)");
    assertThat(run(TOKEN_ENV, with("--label", "novalue"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--label: 'novalue' (expected: K=V)");
    assertThat(run(TOKEN_ENV, with("stray"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("unexpected argument: 'stray'");
    assertThat(run(TOKEN_ENV, with("--allow-shell-commands=yes"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("--allow-shell-commands: 'yes' (expected: no value");
  }

  @Test
  void argFile_missingOrTooLarge_usageError() throws Exception {
    assertThat(run(TOKEN_ENV, "@" + tmp.resolve("absent.args"))).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("absent.args: cannot read it (expected: a readable file of options");
    Path big = Files.write(tmp.resolve("big.args"), new byte[AgentArgs.MAX_ARG_FILE_BYTES + 1]);
    assertThat(run(TOKEN_ENV, "@" + big)).isEqualTo(AgentMain.EXIT_USAGE);
    assertThat(err.toString()).contains("big.args: larger than 1048576 bytes");
  }

  @Test
  void options_repeatedAndCommaSeparated_allKept() {
    AgentArgs a = AgentArgs.parse("--label", "dc=eu", "--label=rack=r1", "--disable-collector", "hwmon,processes",
        "--disable-collector", "wifi", "--allow-shell-commands", "-V");

    assertThat(a.labels).containsExactly(Map.entry("dc", "eu"), Map.entry("rack", "r1"));
    assertThat(a.disabledCollectors).containsExactly("hwmon", "processes", "wifi");
    assertThat(a.allowShellCommands).isTrue();
    assertThat(a.version).isTrue();
    assertThat(a.server).isEqualTo("127.0.0.1:8080");
    assertThat(a.bufferMib).isEqualTo(256);
  }

  @Test
  void run_serverRefusesToken_exitsThree() throws Exception {
    TestCerts ca = TestCerts.newCa("Main Test CA");
    try (TestAgentServer server = TestAgentServer.start(ca.issueServer("127.0.0.1"), 0)) {
      server.expectedToken = "right";

      int code = run(Map.of(AgentMain.TOKEN_ENV, "wrong"), "--server",
          "127.0.0.1:" + server.port(), "--ca-file", ca.writeCaPem(tmp).toString(),
          "--interval", "1s");

      assertThat(code).isEqualTo(AgentMain.EXIT_REJECTED);
      assertThat(server.streams.get()).isEqualTo(1);
    }
  }
}
