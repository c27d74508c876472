package syslens.vsphere.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSH collector against a real OpenSSH sshd on loopback, reading this very machine. */
class SshCollectorTest {
  @TempDir static Path tmp;
  static Sshd sshd;
  static ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
  static final String USER = System.getProperty("user.name");

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Sshd.available(), "openssh-server is not installed (.ci/run installs it)");
    sshd = Sshd.start(tmp.resolve("sshd"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (sshd != null) {
      sshd.close();
    }
    watchdog.shutdownNow();
  }

  static SshCollector collector() {
    return new SshCollector(watchdog, Duration.ofSeconds(20), 4 << 20);
  }

  static GuestCredential.HostPort at(Sshd s) {
    return new GuestCredential.HostPort("127.0.0.1", s.port);
  }

  static double value(List<GuestMetric> ms, String name, String... labels) {
    return ms.stream().filter(m -> m.labels().metricName().equals(name)).filter(m -> {
      for (int i = 0; i < labels.length; i += 2) {
        if (!labels[i + 1].equals(m.labels().get(labels[i]))) {
          return false;
        }
      }
      return true;
    }).mapToDouble(GuestMetric::value).findFirst().orElseThrow(() -> new AssertionError("no " + name));
  }

  @Test
  void collect_withKey_matchesWhatThisMachineReports() throws Exception {
    AtomicReference<String> pinned = new AtomicReference<>();
    List<GuestMetric> ms = collector().collect(at(sshd), USER, null, sshd.clientPrivateKey, Duration.ofSeconds(15),
        new SshCollector.Pin(Optional.empty(), pinned::set));

    long memTotalKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
        .map(l -> Long.parseLong(l.split("\\s+")[1])).findFirst().orElseThrow();
    assertThat(value(ms, "node_memory_MemTotal_bytes")).isEqualTo(memTotalKb * 1024.0);
    assertThat(value(ms, "node_memory_MemAvailable_bytes")).isPositive();
    long cpus = Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.matches("cpu\\d+ .*")).count();
    assertThat(ms.stream().filter(m -> m.labels().metricName().equals("node_cpu_seconds_total")
        && "idle".equals(m.labels().get("mode")))).hasSize((int) cpus);
    assertThat(value(ms, "node_load1")).isGreaterThanOrEqualTo(0);
    String root = Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" "))
        .filter(f -> f[1].equals("/")).map(f -> f[2]).findFirst().orElseThrow();
    if (!LinuxGuestParser.IGNORED_FS_TYPES.matcher(root).find()) {
      var store = Files.getFileStore(Path.of("/"));
      assertThat(value(ms, "node_filesystem_size_bytes", "mountpoint", "/", "fstype", root))
          .isEqualTo((double) store.getTotalSpace());
    }
    assertThat(ms).anyMatch(m -> m.labels().metricName().equals("node_filesystem_avail_bytes"));
    assertThat(ms).anyMatch(m -> m.labels().metricName().equals("node_network_receive_bytes_total"));
    assertThat(value(ms, "node_boot_time_seconds")).isPositive();
    assertThat(pinned.get()).isEqualTo(sshd.hostKeyFingerprint);
  }

  @Test
  void collect_hostKeyNotThePinnedOne_refusedWithClearStatus() {
    assertThatThrownBy(() -> collector().collect(at(sshd), USER, null, sshd.clientPrivateKey, Duration.ofSeconds(15),
        new SshCollector.Pin(Optional.of("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), fp -> {
          throw new AssertionError("must not pin again");
        })))
        .isInstanceOf(GuestException.class)
        .hasMessageContaining("host key changed")
        .hasMessageContaining(sshd.hostKeyFingerprint)
        .hasMessageContaining("pinned on first use");
  }

  @Test
  void collect_pinnedKeyMatches_collects() throws Exception {
    assertThat(collector().collect(at(sshd), USER, null, sshd.clientPrivateKey, Duration.ofSeconds(15),
        new SshCollector.Pin(Optional.of(sshd.hostKeyFingerprint), fp -> {}))).isNotEmpty();
  }

  @Test
  void collect_wrongPassword_authenticationFailed() {
    assertThatThrownBy(() -> collector().collect(at(sshd), USER, "wrong-password", null, Duration.ofSeconds(15),
        new SshCollector.Pin(Optional.empty(), fp -> {})))
        .isInstanceOf(GuestException.class)
        .hasMessageContaining("authentication failed for user '" + USER + "'");
  }

  @Test
  void collect_unknownKey_authenticationFailed() throws Exception {
    Path other = tmp.resolve("other");
    Files.createDirectories(other);
    Sshd.run(other, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.resolve("k").toString());
    String key = Files.readString(other.resolve("k"));
    assertThatThrownBy(() -> collector().collect(at(sshd), USER, null, key, Duration.ofSeconds(15),
        new SshCollector.Pin(Optional.empty(), fp -> {})))
        .isInstanceOf(GuestException.class)
        .hasMessageContaining("authentication failed");
  }

  @Test
  void collect_garbageKey_saysTheKeyCannotBeRead() {
    assertThatThrownBy(() -> collector().collect(at(sshd), USER, null, "not a key", Duration.ofSeconds(15),
        new SshCollector.Pin(Optional.empty(), fp -> {})))
        .isInstanceOf(GuestException.class)
        .hasMessageContaining("private key cannot be read");
  }

  @Test
  void collect_unreachable_statusAfterConnectTimeout() {
    long t0 = System.nanoTime();
    // TEST-NET-1 (RFC 5737): never routed; either the connect times out or the route is refused.
    assertThatThrownBy(() -> collector().collect(new GuestCredential.HostPort("192.0.2.1", 22), USER, "x", null,
        Duration.ofMillis(500), new SshCollector.Pin(Optional.empty(), fp -> {})))
        .isInstanceOf(GuestException.class)
        .hasMessageMatching(".*(timed out after 500 ms|cannot reach|refused).*");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void run_outputOverTheLimit_refused() {
    SshCollector small = new SshCollector(watchdog, Duration.ofSeconds(20), 1024);
    assertThatThrownBy(() -> small.run(at(sshd), USER, null, sshd.clientPrivateKey, Duration.ofSeconds(15),
        new SshCollector.Pin(Optional.empty(), fp -> {}), "head -c 100000 /dev/zero"))
        .isInstanceOf(GuestException.class)
        .hasMessageContaining("exceeded 1024 bytes");
  }

  @Test
  void run_commandHangs_cutAtTheDeadline() {
    SshCollector quick = new SshCollector(watchdog, Duration.ofMillis(700), 1 << 20);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> quick.run(at(sshd), USER, null, sshd.clientPrivateKey, Duration.ofSeconds(2),
        new SshCollector.Pin(Optional.empty(), fp -> {}), "sleep 30"))
        .isInstanceOf(GuestException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
  }
}
