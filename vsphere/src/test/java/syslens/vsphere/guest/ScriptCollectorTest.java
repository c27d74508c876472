package syslens.vsphere.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User scripts run for real (sh scripts in a temp dir): JSON in, metrics out, misbehaviour contained. */
class ScriptCollectorTest {
  @TempDir Path tmp;
  static final GuestVm VM = new GuestVm("vm:vc1:uuid-1", "web-01", "vc1", List.of("10.0.0.5"), Map.of("vm", "web-01"), true);

  Path script(String name, String body) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  List<GuestMetric> run(Path script, int limit, Duration timeout) throws GuestException {
    return new ScriptCollector(limit).collect(List.of(script.toString()), VM, "10.0.0.5", "svc", "s3cret", timeout);
  }

  @Test
  void collect_metricsList_parsedWithLabelsAndTheVmPassedIn() throws Exception {
    Path s = script("ok.sh", "printf '{\"metrics\":[{\"name\":\"app_queue_depth\",\"labels\":{\"queue\":\"%s\",\"addr\":\"%s\"},"
        + "\"value\":7},{\"name\":\"app_up\",\"value\":1}]}' \"$1\" \"$SYSLENS_ADDRESS\"");
    List<GuestMetric> ms = run(s, 1 << 20, Duration.ofSeconds(10));
    assertThat(ms).hasSize(2);
    assertThat(ms.get(0).labels().metricName()).isEqualTo("app_queue_depth");
    assertThat(ms.get(0).labels().get("queue")).isEqualTo("web-01");
    assertThat(ms.get(0).labels().get("addr")).isEqualTo("10.0.0.5");
    assertThat(ms.get(0).value()).isEqualTo(7);
    assertThat(ms.get(1).labels().metricName()).isEqualTo("app_up");
  }

  @Test
  void collect_flatObject_eachFieldAMetric() throws Exception {
    Path s = script("flat.sh", "echo '{\"app_sessions\": 12, \"app_latency_seconds\": 0.25}'");
    assertThat(run(s, 1 << 20, Duration.ofSeconds(10))).extracting(m -> m.labels().metricName() + "=" + m.value())
        .containsExactly("app_sessions=12.0", "app_latency_seconds=0.25");
  }

  @Test
  void collect_garbage_saysNotJson() throws Exception {
    Path s = script("garbage.sh", "echo 'hello, this is not json'");
    assertThatThrownBy(() -> run(s, 1 << 20, Duration.ofSeconds(10))).isInstanceOf(GuestException.class)
        .hasMessageContaining("script output is not JSON (starts with 'hello, this is not json'");
  }

  @Test
  void collect_badValue_namesTheField() throws Exception {
    Path s = script("bad.sh", "echo '{\"metrics\":[{\"name\":\"x\",\"value\":\"high\"}]}'");
    assertThatThrownBy(() -> run(s, 1 << 20, Duration.ofSeconds(10))).isInstanceOf(GuestException.class)
        .hasMessage("metrics[0].value: string (expected: a number)");
  }

  @Test
  void collect_nonZeroExit_statusWithStderr() throws Exception {
    Path s = script("fail.sh", "echo 'database unreachable' >&2; exit 3");
    assertThatThrownBy(() -> run(s, 1 << 20, Duration.ofSeconds(10))).isInstanceOf(GuestException.class)
        .hasMessageContaining("exited with status 3: database unreachable");
  }

  @Test
  void collect_hangs_killedWithDescendantsAtTheTimeout() throws Exception {
    Path s = script("hang.sh", "sleep 61.7 &\nsleep 62.3\nwait");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> run(s, 1 << 20, Duration.ofMillis(500))).isInstanceOf(GuestException.class)
        .hasMessageContaining("did not finish within 500 ms; killed");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    // Neither the script nor its sleeps survive.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.allProcesses()
        .noneMatch(p -> p.info().commandLine().map(c -> c.contains(s.toString()) || c.contains("sleep 61.7")
            || c.contains("sleep 62.3")).orElse(false)));
  }

  @Test
  void collect_floods_killedAtTheOutputLimit() throws Exception {
    Path s = script("flood.sh", "yes '{\"x\":1}'");
    assertThatThrownBy(() -> run(s, 64 * 1024, Duration.ofSeconds(10))).isInstanceOf(GuestException.class)
        .hasMessageContaining("printed more than 65536 bytes; killed");
  }

  @Test
  void collect_missingProgram_saysItCannotStart() {
    assertThatThrownBy(() -> new ScriptCollector(1024).collect(List.of(tmp.resolve("nope").toString()), VM, "", null,
        null, Duration.ofSeconds(1))).isInstanceOf(GuestException.class).hasMessageContaining("cannot be started");
  }
}
