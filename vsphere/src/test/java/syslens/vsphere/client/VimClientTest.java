package syslens.vsphere.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import syslens.vsphere.VcSim;

class VimClientTest {
  static VcSim sim;

  @BeforeAll
  static void start() throws IOException {
    sim = VcSim.start("-cluster", "2", "-host", "2", "-vm", "5");
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  static VimClientConfig.Builder config(String password) {
    return VimClientConfig.builder(sim.url(), VcSim.USER, password).pinnedSha256(sim.sha256())
        .backoff(Duration.ofMillis(10));
  }

  @Test
  void login_pinnedCertificate_retrievesServiceContent() {
    try (VimClient c = VimClient.create(config(VcSim.PASSWORD).build())) {
      c.login();
      ServiceContent sc = c.serviceContent();
      assertThat(sc.apiVersion()).isEqualTo("6.5");
      assertThat(sc.perfManager().type()).isEqualTo("PerformanceManager");
      assertThat(c.currentTime()).isNotNull();
      assertThat(c.logins()).isEqualTo(1);
    }
  }

  @Test
  void login_wrongPassword_failsWithInvalidLogin() {
    try (VimClient c = VimClient.create(config("wrong").build())) {
      assertThatThrownBy(c::login).isInstanceOfSatisfying(VimFaultException.class,
          e -> assertThat(e.faultName()).isEqualTo("InvalidLogin"));
    }
  }

  @Test
  void login_certificateNotMatchingPin_failsNamingBothFingerprints() {
    String other = "00".repeat(32);
    try (VimClient c = VimClient.create(VimClientConfig.builder(sim.url(), VcSim.USER, VcSim.PASSWORD)
        .pinnedSha256(other).build())) {
      assertThatThrownBy(c::login).isInstanceOf(VimException.class)
          .hasMessageContaining("TLS verification failed")
          .hasMessageContaining(sim.sha256()).hasMessageContaining(other);
      assertThat(c.calls()).as("a TLS failure is not retried").isEqualTo(1);
    }
  }

  @Test
  void login_selfSignedWithoutPin_isRejectedByDefault() {
    try (VimClient c = VimClient.create(VimClientConfig.builder(sim.url(), VcSim.USER, VcSim.PASSWORD).build())) {
      assertThatThrownBy(c::login).isInstanceOf(VimException.class).hasMessageContaining("TLS verification failed");
    }
  }

  @Test
  void invoke_unreachableVcenter_retriesThreeTimesThenFails() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    URI dead = URI.create("https://127.0.0.1:" + port + "/sdk");
    try (VimClient c = VimClient.create(VimClientConfig.builder(dead, "u", "p").backoff(Duration.ofMillis(5)).build())) {
      assertThatThrownBy(c::login).isInstanceOf(VimException.class)
          .hasMessageContaining("after 4 attempt(s)").hasMessageContaining("127.0.0.1:" + port);
      assertThat(c.calls()).isEqualTo(4);
      assertThat(c.retries()).isEqualTo(3);
    }
  }

  @Test
  void invoke_sessionTerminated_logsInAgainAndRepeatsTheCall() {
    try (VimClient c = VimClient.create(config(VcSim.PASSWORD).build())) {
      c.login();
      // End the session behind the client's back, as an expiry or an administrator would.
      c.invoke("Logout", c.serviceContent().sessionManager(), "");
      assertThat(c.currentTime()).isNotNull();
      assertThat(c.logins()).isEqualTo(2);
    }
  }

  @Test
  void retrieveAll_containerView_returnsEveryVmWithItsProperties() {
    try (VimClient c = VimClient.create(config(VcSim.PASSWORD).build())) {
      Moref view = c.createContainerView(c.serviceContent().rootFolder(), List.of("VirtualMachine"), true);
      List<ObjectContent> vms = c.retrieveAll(PropertySpec.containerView(view,
          Map.of("VirtualMachine", List.of("name", "config.instanceUuid", "runtime.powerState"))), 3);
      c.destroyView(view);
      assertThat(vms).hasSize(10);
      assertThat(vms).extracting(o -> o.obj().type()).containsOnly("VirtualMachine");
      assertThat(vms).extracting(o -> o.text("runtime.powerState")).containsOnly("poweredOn");
      assertThat(vms).extracting(o -> o.text("config.instanceUuid")).doesNotContain("").doesNotHaveDuplicates();
      // vcsim 0.24 ignores maxObjects (one page, no token), so ContinueRetrievePropertiesEx is
      // exercised against real vCenters only.
    }
  }

  @Test
  void retrieveAll_responseOverLimit_failsNamingTheLimit() {
    try (VimClient c = VimClient.create(config(VcSim.PASSWORD).maxResponseBytes(16384).build())) {
      c.login();
      assertThatThrownBy(c::perfCounters).isInstanceOf(VimException.class).hasMessageContaining("16384");
    }
  }

  @Test
  void queryPerf_realtimeCounters_returnSamplesForTheEntity() {
    try (VimClient c = VimClient.create(config(VcSim.PASSWORD).build())) {
      Map<String, PerfCounter> counters = c.perfCounters();
      assertThat(counters).containsKeys("cpu.usage.average", "mem.consumed.average", "net.received.average",
          "cpu.ready.summation", "disk.maxTotalLatency.latest");
      Moref view = c.createContainerView(c.serviceContent().rootFolder(), List.of("VirtualMachine"), true);
      Moref vm = c.retrieveAll(PropertySpec.containerView(view, Map.of("VirtualMachine", List.of("name"))), 100)
          .getFirst().obj();
      assertThat(c.perfRefreshRate(vm)).isEqualTo(20);
      int usage = counters.get("cpu.usage.average").key();
      List<PerfEntityMetrics> r = c.queryPerf(List.of(
          new PerfQuery(vm, null, 3, List.of(new PerfMetricId(usage, "")), 20)));
      assertThat(r).hasSize(1);
      assertThat(r.getFirst().entity()).isEqualTo(vm);
      assertThat(r.getFirst().timestampsMs()).hasSize(3);
      assertThat(r.getFirst().series().getFirst().id().counterId()).isEqualTo(usage);
      assertThat(java.util.Arrays.stream(r.getFirst().series().getFirst().values()).boxed().toList()).hasSize(3).allMatch(v -> v >= 0 && v <= 10_000);
      assertThat(c.availablePerfMetrics(vm, 20)).extracting(PerfMetricId::counterId).contains(usage);
    }
  }

  @Test
  void config_badValues_areRejectedNamingWhatWasExpected() {
    assertThatThrownBy(() -> VimClientConfig.builder(URI.create("http://vc/sdk"), "u", "p"))
        .hasMessageContaining("expected: https://");
    assertThatThrownBy(() -> VimClientConfig.builder(sim.url(), "u", "p").maxConcurrency(0))
        .hasMessage("maxConcurrency: 0 (expected: 1..1000)");
    assertThatThrownBy(() -> VimClientConfig.builder(sim.url(), "u", "p").pinnedSha256("abc"))
        .hasMessageContaining("expected: 64 hex digits");
    assertThat(VimClientConfig.builder(sim.url(), "u", "secret").build().toString()).doesNotContain("secret");
  }
}
