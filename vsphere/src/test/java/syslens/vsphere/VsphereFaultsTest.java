package syslens.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class VsphereFaultsTest {
  /** The retries still happen (the messages count them); only their waits are short. */
  static final Duration FAST_RETRY = Duration.ofMillis(20);

  static VCenterSpec spec(String id, String name, VcSim sim, int timeoutSeconds) {
    return new VCenterSpec(id, name, sim.url(), VcSim.USER, new TestParts.Cipher().seal(VcSim.PASSWORD),
        sim.sha256(), 50, Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(600), Duration.ofMinutes(5), true);
  }

  @Test
  void runNow_slowVcenter_timesOutItsQueriesWhileAnotherVcenterIsCollected() throws Exception {
    TestParts.Sink sink = new TestParts.Sink();
    TestParts.Repository repo = new TestParts.Repository();
    try (VcSim slow = VcSim.start("-cluster", "1", "-host", "1", "-vm", "2", "-method-delay", "{\"QueryPerf\":2500}");
        VcSim fast = VcSim.start("-cluster", "1", "-host", "1", "-vm", "2");
        VsphereService service = VsphereService.builder(repo, new TestParts.Cipher(), sink, new TestParts.Nodes())
            .retryBackoff(FAST_RETRY).build()) {
      service.save(spec("s", "slow", slow, 1));
      service.save(spec("f", "fast", fast, 30));
      VCenterStatus s = service.runNow("s").orElseThrow();
      VCenterStatus f = service.runNow("f").orElseThrow();
      assertThat(s.state()).isEqualTo("error");
      assertThat(s.lastError()).contains("no response within PT1S").contains("after 4 attempt(s)");
      assertThat(s.vms()).as("the inventory was not slow").isEqualTo(2);
      assertThat(f.state()).as(f.lastError()).isEqualTo("ok");
      assertThat(sink.named("vsphere_vm_cpu_usage_ratio"))
          .allSatisfy(x -> assertThat(x.labels().get("vcenter")).isEqualTo("fast")).isNotEmpty();
    }
  }

  /**
   * The first cycle reads the counter catalogue beside the inventory: when only the catalogue's
   * calls time out, the inventory is still read and the status names the counters (the
   * catalogue is tried again next cycle: counters stay unset).
   */
  @Test
  void runNow_catalogueTimesOut_inventoryIsStillReadAndTheErrorNamesTheCounters() throws Exception {
    TestParts.Sink sink = new TestParts.Sink();
    try (VcSim sim = VcSim.start("-cluster", "1", "-host", "1", "-vm", "2", "-method-delay", "{\"QueryOptions\":2500}");
        VsphereService service = VsphereService.builder(new TestParts.Repository(), new TestParts.Cipher(), sink,
            new TestParts.Nodes()).retryBackoff(FAST_RETRY).build()) {
      service.save(spec("c", "slowcat", sim, 1));
      VCenterStatus first = service.runNow("c").orElseThrow();
      assertThat(first.state()).isEqualTo("error");
      assertThat(first.lastError()).startsWith("performance counters: ").contains("no response within PT1S");
      assertThat(first.vms()).as("the inventory was read beside it").isEqualTo(2);
      assertThat(sink.named("vsphere_vm_cpu_usage_ratio")).isEmpty();
    }
  }

  @Test
  void nextDelay_cycleRanOver_startsOnceAtOnceInsteadOfStacking() {
    assertThat(VsphereService.nextDelay(1_000, 5_000, 60_000)).isEqualTo(56_000);
    assertThat(VsphereService.nextDelay(1_000, 61_000, 60_000)).isZero();
    assertThat(VsphereService.nextDelay(1_000, 200_000, 60_000)).as("three slots missed: still one cycle, now")
        .isZero();
  }

  @Test
  void runNow_unreachableVcenter_reportsConnectionRefused() throws Exception {
    TestParts.Repository repo = new TestParts.Repository();
    try (VsphereService service = VsphereService.builder(repo, new TestParts.Cipher(), new TestParts.Sink(),
        new TestParts.Nodes()).retryBackoff(FAST_RETRY).build()) {
      int port;
      try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
        port = ss.getLocalPort();
      }
      service.save(new VCenterSpec("u", "gone", URI.create("https://127.0.0.1:" + port + "/sdk"), "u",
          new TestParts.Cipher().seal("p"), null, 50, Duration.ofSeconds(2), Duration.ofSeconds(600),
          Duration.ofMinutes(5), true));
      VCenterStatus st = service.runNow("u").orElseThrow();
      assertThat(st.state()).isEqualTo("error");
      assertThat(st.lastError()).startsWith("inventory: ").contains("connection refused");
    }
  }

  @Test
  void start_sealedPasswordFromAnotherKey_reportsItAndDoesNotCollect() throws Exception {
    TestParts.Repository repo = new TestParts.Repository();
    try (VcSim sim = VcSim.start("-cluster", "1", "-host", "1", "-vm", "1")) {
      repo.save(new VCenterSpec("x", "x", sim.url(), VcSim.USER, "garbage", sim.sha256(), 50, Duration.ofSeconds(5),
          Duration.ofSeconds(600), Duration.ofMinutes(5), true));
      try (VsphereService service = VsphereService.builder(repo, new TestParts.Cipher(), new TestParts.Sink(),
          new TestParts.Nodes()).build()) {
        service.start();
        assertThat(service.runNow("x")).isEmpty();
        VCenterStatus st = service.status("x").orElseThrow();
        assertThat(st.state()).isEqualTo("error");
        assertThat(st.lastError()).contains("master key");
      }
    }
  }
}
