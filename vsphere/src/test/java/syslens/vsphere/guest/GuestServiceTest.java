package syslens.vsphere.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.vsphere.SampleSink;

/**
 * Guest collection end to end through the REST surface and the service: a real sshd, real
 * scripts, VMs that fail in different ways next to VMs that work.
 */
class GuestServiceTest {
  @TempDir static Path tmp;
  static Sshd sshd;
  static Sshd reinstalled; // same VM, new host key
  static final String USER = System.getProperty("user.name");

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Sshd.available(), "openssh-server is not installed (.ci/run installs it)");
    sshd = Sshd.start(tmp.resolve("sshd"));
    reinstalled = Sshd.start(tmp.resolve("sshd2"));
    Files.writeString(reinstalled.dir.resolve("authorized_keys"), Files.readString(sshd.dir.resolve("client_key.pub")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (sshd != null) {
      sshd.close();
    }
    if (reinstalled != null) {
      reinstalled.close();
    }
  }

  static GuestVm vm(String name, boolean on, String... ips) {
    return new GuestVm("vm:vc1:" + name, name, "vc1", List.of(ips),
        Map.of("vcenter", "vc1", "cluster", "prod", "vm", name), on);
  }

  static Map<String, Object> body(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static Path script(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + text + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  @SuppressWarnings("unchecked")
  static String id(GuestApi.Response r) {
    assertThat(r.status()).as(r.error()).isEqualTo(200);
    return (String) ((Map<String, Object>) r.data()).get("id");
  }

  static GuestStatus status(GuestService s, String vm) {
    return s.statuses().stream().filter(x -> x.vm().equals(vm)).findFirst().orElseThrow(() -> new AssertionError(vm));
  }

  @Test
  void runNow_mixedVms_eachGetsItsOwnStatusAndTheGoodOnesTheirSamples() throws Exception {
    List<GuestVm> vms = List.of(vm("web-01", true, "10.0.0.1"), vm("web-02", true, "10.0.0.2"),
        vm("web-03", true, "192.0.2.1"), vm("app-01", true, "10.0.1.1"), vm("web-04", false, "10.0.0.4"),
        vm("db-01", true, "10.0.2.1"));
    GuestParts.Repository repo = new GuestParts.Repository();
    GuestParts.Sink sink = new GuestParts.Sink();
    int threadsBefore = liveThreads();
    GuestService service = GuestService.builder(repo, new GuestParts.Cipher(), sink, () -> vms).build();
    GuestApi api = new GuestApi(service);
    String good = id(api.handle("POST", "", Map.of(), body("name", "web-01-key", "kind", "ssh", "vms", "web-01",
        "connectAddress", "127.0.0.1:" + sshd.port, "user", USER, "privateKey", sshd.clientPrivateKey)));
    id(api.handle("POST", "", Map.of(), body("name", "web-02-password", "kind", "ssh", "vms", "web-02",
        "connectAddress", "127.0.0.1:" + sshd.port, "user", USER, "password", "not-the-password")));
    id(api.handle("POST", "", Map.of(), body("name", "web-unreachable", "kind", "ssh", "vms", "web-0?",
        "labels", Map.of("cluster", "prod"), "user", USER, "password", "x", "timeoutSeconds", 1)));
    id(api.handle("POST", "", Map.of(), body("name", "apps", "kind", "script", "vms", "app-*", "command",
        List.of(script("app.sh", "echo '{\"app_requests_total\": 42}'").toString()))));

    GuestStatus.Cycles c = service.runNow();

    assertThat(c.targets()).isEqualTo(4); // web-04 is off, db-01 is not covered
    assertThat(c.ok()).isEqualTo(2);
    GuestStatus web01 = status(service, "web-01");
    assertThat(web01.state()).isEqualTo("ok");
    assertThat(web01.samples()).isGreaterThan(20);
    assertThat(web01.hostKey()).isEqualTo(sshd.hostKeyFingerprint);
    assertThat(web01.node()).isEqualTo("vm:vc1:web-01");
    assertThat(status(service, "web-02").lastError()).contains("authentication failed for user '" + USER + "'");
    assertThat(status(service, "web-03").lastError()).containsAnyOf("timed out", "cannot reach", "refused");
    assertThat(status(service, "app-01").state()).isEqualTo("ok");
    SampleSink.Sample mem = sink.named("node_memory_MemTotal_bytes").getFirst();
    assertThat(mem.nodeId()).isEqualTo("vm:vc1:web-01");
    assertThat(mem.instance()).isEqualTo("web-01");
    assertThat(sink.named("app_requests_total").getFirst().nodeId()).isEqualTo("vm:vc1:app-01");
    assertThat(sink.named("syslens_guest_collect_errors_total")).anyMatch(s -> "ssh".equals(s.labels().get("kind"))
        && "vc1".equals(s.labels().get("vcenter")) && s.value() == 2);
    assertThat(sink.named("syslens_guest_up")).anyMatch(s -> s.nodeId().equals("vm:vc1:web-02") && s.value() == 0);

    // Secrets never come back.
    GuestApi.Response list = api.handle("GET", "", Map.of(), null);
    assertThat(list.data().toString()).doesNotContain(sshd.clientPrivateKey.substring(40, 80))
        .doesNotContain("not-the-password").doesNotContain("sealed:").contains(GuestApi.MASK);

    // The VM is reinstalled (new host key): refused, with a status that says so; forgetting the pin heals it.
    api.handle("PUT", "/" + good, Map.of(), body("connectAddress", "127.0.0.1:" + reinstalled.port));
    service.runNow();
    assertThat(status(service, "web-01").lastError()).contains("host key changed")
        .contains(reinstalled.hostKeyFingerprint).contains(sshd.hostKeyFingerprint);
    assertThat(status(service, "web-01").lastOkMs()).isEqualTo(web01.lastOkMs());
    GuestApi.Response forgot = api.handle("DELETE", "/host-keys/vm:vc1:web-01", Map.of(), null);
    assertThat(forgot.audit().action()).isEqualTo("guest.hostkey.forget");
    service.runNow();
    assertThat(status(service, "web-01").state()).isEqualTo("ok");
    assertThat(status(service, "web-01").hostKey()).isEqualTo(reinstalled.hostKeyFingerprint);

    service.close();
    // No SSH session, deadline or cycle thread outlives the service.
    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(liveThreads()).isLessThanOrEqualTo(threadsBefore));
  }

  static int liveThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("Connect thread") || t.getName().startsWith("guest-")
            || t.getName().startsWith("HttpClient")).count();
  }

  @Test
  void schedule_cyclesSlowerThanTheInterval_neverOverlapAndAreCountedLate() throws Exception {
    Path log = tmp.resolve("cycles.log");
    Path slow = script("slow.sh", "echo start >> " + log + "; sleep 0.4; echo end >> " + log + "; echo '{\"x\": 1}'");
    GuestParts.Repository repo = new GuestParts.Repository();
    repo.save(new GuestCredential("c1", "slow", GuestCredential.Kind.SCRIPT,
        new GuestCredential.Selector("*", null, null), null, 0, null, null, null, false, null,
        List.of(slow.toString()), Duration.ofSeconds(5), true));
    List<GuestVm> vms = List.of(vm("a", true, "10.0.0.1"));
    try (GuestService service = GuestService.builder(repo, new GuestParts.Cipher(), new GuestParts.Sink(), () -> vms)
        .interval(Duration.ofMillis(150)).build()) {
      service.start();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> service.cycles().cycles() >= 3);
      assertThat(service.cycles().lateCycles()).isGreaterThanOrEqualTo(2);
    }
    List<String> lines = new CopyOnWriteArrayList<>(Files.readAllLines(log));
    for (int i = 0; i + 1 < lines.size(); i += 2) {
      assertThat(lines.subList(i, i + 2)).containsExactly("start", "end");
    }
  }

  @Test
  void runNow_moreVmsThanTheLimit_neverMoreAtOnce() throws Exception {
    Path running = Files.createDirectories(tmp.resolve("running"));
    Path log = tmp.resolve("concurrency.log");
    Path s = script("count.sh", "touch " + running + "/$$; ls " + running + " | wc -l >> " + log
        + "; sleep 0.2; rm " + running + "/$$; echo '{\"x\": 1}'");
    GuestParts.Repository repo = new GuestParts.Repository();
    repo.save(new GuestCredential("c1", "count", GuestCredential.Kind.SCRIPT,
        new GuestCredential.Selector("*", null, null), null, 0, null, null, null, false, null,
        List.of(s.toString()), Duration.ofSeconds(5), true));
    List<GuestVm> vms = java.util.stream.IntStream.range(0, 8).mapToObj(i -> vm("vm-" + i, true, "10.0.0." + i)).toList();
    try (GuestService service = GuestService.builder(repo, new GuestParts.Cipher(), new GuestParts.Sink(), () -> vms)
        .maxScripts(2).build()) {
      GuestStatus.Cycles c = service.runNow();
      assertThat(c.ok()).isEqualTo(8);
    }
    assertThat(Files.readAllLines(log)).hasSize(8).allSatisfy(n -> assertThat(Integer.parseInt(n.strip())).isBetween(1, 2));
  }

  @Test
  void api_badInput_clearErrors() {
    GuestService service = GuestService.builder(new GuestParts.Repository(), new GuestParts.Cipher(),
        new GuestParts.Sink(), List::of).build();
    GuestApi api = new GuestApi(service);
    assertThat(api.handle("POST", "", Map.of(), body("name", "x", "kind", "telnet", "vms", "*")).error())
        .isEqualTo("kind: 'telnet' (expected: ssh, winrm or script)");
    assertThat(api.handle("POST", "", Map.of(), body("name", "x", "kind", "ssh", "user", "u", "password", "p")).error())
        .startsWith("selector: empty");
    assertThat(api.handle("POST", "", Map.of(), body("name", "x", "kind", "winrm", "vms", "*", "user", "u")).error())
        .startsWith("password: missing");
    assertThat(api.handle("POST", "", Map.of(), body("name", "x", "kind", "script", "vms", "*")).error())
        .startsWith("command: missing");
    assertThat(api.handle("POST", "", Map.of(), body("name", "x", "kind", "ssh", "vms", "*", "user", "u",
        "password", "p", "colour", "red")).error()).startsWith("field 'colour' is unknown");
    assertThat(api.handle("POST", "", Map.of(), body("name", "x", "kind", "ssh", "vms", "*", "user", "u",
        "password", "p", "connectAddress", "10.0.0.1:99999")).error())
        .isEqualTo("connectAddress: '10.0.0.1:99999' (expected: host or host:port, port 1..65535)");
    assertThat(api.handle("GET", "/nope", Map.of(), null).status()).isEqualTo(404);
    service.close();
  }
}
