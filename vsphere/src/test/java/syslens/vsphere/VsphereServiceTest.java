package syslens.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class VsphereServiceTest {
  static final String SECRET = VcSim.PASSWORD;

  VcSim sim;
  TestParts.Sink sink = new TestParts.Sink();
  TestParts.Nodes nodes = new TestParts.Nodes();
  TestParts.Repository repo = new TestParts.Repository();
  VsphereService service;
  VsphereApi api;
  ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void start() throws IOException {
    logs.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    sim = VcSim.start("-cluster", "2", "-host", "2", "-vm", "3");
    service = VsphereService.builder(repo, new TestParts.Cipher(), sink, nodes).build();
    api = new VsphereApi(service);
  }

  @AfterEach
  void stop() {
    service.close();
    sim.close();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  Map<String, Object> body(String password) {
    Map<String, Object> b = new HashMap<>();
    b.put("name", "vc-lab");
    b.put("url", sim.url().toString());
    b.put("user", VcSim.USER);
    b.put("password", password);
    b.put("pinnedSha256", sim.sha256());
    b.put("perfIntervalSeconds", 600); // the test drives cycles itself through /collect
    return b;
  }

  @SuppressWarnings("unchecked")
  String create(String password) {
    VsphereApi.Response r = api.handle("POST", "", Map.of(), body(password));
    assertThat(r.status()).as(String.valueOf(r.error())).isEqualTo(200);
    String id = (String) ((Map<String, Object>) r.data()).get("id");
    // saving starts collection at once; let that first cycle finish so the test's cycles follow it
    await().atMost(Duration.ofSeconds(30)).until(() -> service.status(id).orElseThrow().cycles() >= 1);
    return id;
  }

  VCenterStatus collect(String id) {
    VsphereApi.Response r = api.handle("POST", "/" + id + "/collect", Map.of(), null);
    assertThat(r.status()).isEqualTo(200);
    return (VCenterStatus) r.data();
  }

  @Test
  void collect_simulator_registersNodesAndWritesSeriesWithTheirIdentity() {
    String id = create(SECRET);
    VCenterStatus st = collect(id);
    assertThat(st.state()).as(st.lastError()).isEqualTo("ok");
    assertThat(st.vms()).isEqualTo(6);
    assertThat(st.hosts()).isEqualTo(4);
    assertThat(st.cycleSamples()).isPositive();
    assertThat(nodes.nodes.values()).filteredOn(n -> n.kind().equals("vm")).hasSize(6).allSatisfy(n -> {
      assertThat(n.id()).startsWith("vm:vc-lab:");
      assertThat(n.labels()).containsKeys("vcenter", "datacenter", "cluster", "esxhost", "vm");
    });
    assertThat(nodes.nodes.values()).filteredOn(n -> n.kind().equals("esxi")).hasSize(4);
    // the cycle started on save and the one run here: one sample per VM each, none doubled
    assertThat(sink.named("vsphere_vm_cpu_usage_ratio")).extracting(SampleSink.Sample::nodeId).hasSize(12)
        .containsOnly(nodes.nodes.values().stream().filter(n -> n.kind().equals("vm")).map(NodeDirectory.Node::id)
            .toArray(String[]::new));
    assertThat(sink.named("vsphere_vm_cpu_usage_ratio")).allSatisfy(s -> {
      assertThat(nodes.nodes).containsKey(s.nodeId());
      assertThat(s.labels().get("vm")).isEqualTo(nodes.nodes.get(s.nodeId()).name());
    });
    assertThat(sink.named("vsphere_collector_cycle_duration_seconds")).hasSize(2)
        .allSatisfy(s -> assertThat(s.nodeId()).isNull());
    assertThat(sink.named("vsphere_collector_up")).allSatisfy(s -> assertThat(s.value()).isEqualTo(1));
    assertThat(sink.named("vsphere_datastore_capacity_bytes")).isNotEmpty();
    // clusters' and datastores' 5-minute figures: no node identity, read once in the two cycles
    List<SampleSink.Sample> fiveMinute = new java.util.ArrayList<>();
    synchronized (sink.all) {
      sink.all.stream().filter(s -> s.labels().metricName().startsWith("vsphere_cluster_")
          || s.labels().metricName().equals("vsphere_datastore_used_bytes")).forEach(fiveMinute::add);
    }
    assertThat(fiveMinute).extracting(s -> s.labels().metricName()).contains("vsphere_datastore_used_bytes")
        .anyMatch(n -> n.startsWith("vsphere_cluster_"));
    assertThat(fiveMinute).allSatisfy(s -> assertThat(s.nodeId()).isNull());
    assertThat(fiveMinute.stream().collect(java.util.stream.Collectors.groupingBy(SampleSink.Sample::labels,
        java.util.stream.Collectors.counting())).values()).containsOnly(1L);
  }

  /**
   * Two instances on one inventory board: the one that does not poll serves the poller's
   * inventory, also while it has just taken the vCenter over and not read it yet.
   */
  @Test
  @SuppressWarnings("unchecked")
  void allInventories_withABoard_servedByTheInstanceThatDoesNotPoll_andAcrossATakeover() {
    SharedInventoriesTest.MemoryBoard board = new SharedInventoriesTest.MemoryBoard();
    boolean[] aOwns = {true};
    try (VsphereService a = VsphereService.builder(repo, new TestParts.Cipher(), sink, nodes).owned(id -> aOwns[0])
            .inventoryBoard("a", board).build();
        VsphereService b = VsphereService.builder(repo, new TestParts.Cipher(), sink, nodes).owned(id -> !aOwns[0])
            .inventoryBoard("b", board).build()) {
      VsphereApi.Response r = new VsphereApi(a).handle("POST", "", Map.of(), body(SECRET));
      assertThat(r.status()).as(String.valueOf(r.error())).isEqualTo(200);
      String id = (String) ((Map<String, Object>) r.data()).get("id");
      b.reconcile();
      await().atMost(Duration.ofSeconds(30)).until(() -> board.versions().containsKey(id));
      assertThat(b.inventories()).as("polled here: none").isEmpty();
      assertThat(b.allInventories()).singleElement().satisfies(inv -> assertThat(inv.vms()).hasSize(6));
      List<Map<String, Object>> tree = (List<Map<String, Object>>) new VsphereApi(b).handle("GET", "/tree", Map.of(),
          null).data();
      assertThat(tree).extracting(vc -> vc.get("name")).containsExactly("vc-lab");
      assertThat(board.puts).as("written once: nothing changed since").hasValue(1);
      a.runNow(id);
      assertThat(board.puts).hasValue(1);

      aOwns[0] = false; // a loses the lease, b takes it
      a.reconcile();
      b.reconcile();
      assertThat(b.allInventories()).singleElement().satisfies(inv -> assertThat(inv.vms()).hasSize(6));
      await().atMost(Duration.ofSeconds(30)).until(() -> board.get(id).orElseThrow().owner().equals("b"));
      assertThat(a.allInventories()).singleElement().satisfies(inv -> assertThat(inv.vms()).hasSize(6));
      assertThat(a.delete(id)).isTrue();
      assertThat(board.versions()).isEmpty();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void api_treeAndInventory_matchTheSimulator() {
    String id = create(SECRET);
    collect(id);
    List<Map<String, Object>> tree = (List<Map<String, Object>>) api.handle("GET", "/tree", Map.of(), null).data();
    Map<String, Object> vc = tree.getFirst();
    assertThat(vc.get("name")).isEqualTo("vc-lab");
    List<Map<String, Object>> dcs = (List<Map<String, Object>>) vc.get("children");
    List<Map<String, Object>> clusters = (List<Map<String, Object>>) dcs.getFirst().get("children");
    assertThat(clusters).extracting(c -> c.get("name")).containsExactly("DC0_C0", "DC0_C1");
    List<Map<String, Object>> hosts = (List<Map<String, Object>>) clusters.getFirst().get("children");
    assertThat(hosts).hasSize(2);
    long vmsInTree = clusters.stream().flatMap(c -> ((List<Map<String, Object>>) c.get("children")).stream())
        .mapToLong(h -> ((List<?>) h.get("children")).size()).sum();
    assertThat(vmsInTree).isEqualTo(6);

    Map<String, Object> page = (Map<String, Object>) api.handle("GET", "/inventory",
        Map.of("kind", "vm", "cluster", "DC0_C1", "limit", "2", "offset", "1"), null).data();
    assertThat(page.get("total")).isEqualTo(3);
    assertThat((List<Map<String, Object>>) page.get("items")).hasSize(2)
        .allSatisfy(r -> assertThat(r.get("cluster")).isEqualTo("DC0_C1"));
    Map<String, Object> search = (Map<String, Object>) api.handle("GET", "/inventory",
        Map.of("q", "dc0_c0_rp0_vm1"), null).data();
    assertThat(search.get("total")).isEqualTo(1);
  }

  @Test
  void api_badInput_answers4xxNamingTheProblem() {
    VsphereApi.Response r = api.handle("GET", "/inventory", Map.of("limit", "100000"), null);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("limit: '100000' (expected: an integer 1..1000)");
    Map<String, Object> b = body(SECRET);
    b.put("perfIntervalSeconds", 5);
    assertThat(api.handle("POST", "", Map.of(), b).error()).isEqualTo("perfInterval: 5s (expected: 20..600 s)");
    b = body(SECRET);
    b.put("pasword", "typo");
    assertThat(api.handle("POST", "", Map.of(), b).error()).startsWith("field 'pasword' is unknown");
    b = body(SECRET);
    b.put("url", "http://plain/sdk");
    assertThat(api.handle("POST", "", Map.of(), b).status()).isEqualTo(400);
    assertThat(api.handle("GET", "/nope", Map.of(), null).status()).isEqualTo(404);
    assertThat(api.handle("PATCH", "", Map.of(), null).status()).isEqualTo(405);
  }

  @Test
  void password_isNeverReturnedNorLogged() {
    String id = create(SECRET);
    collect(id);
    Map<String, Object> update = new HashMap<>();
    update.put("user", "nobody"); // wrong user: the collector's login fails and logs
    api.handle("PUT", "/" + id, Map.of(), update);
    VCenterStatus st = collect(id);
    assertThat(st.state()).isEqualTo("error");
    assertThat(st.lastError()).contains("InvalidLogin");
    api.handle("POST", "/test", Map.of(), body("wrong-" + SECRET));
    String everything = String.valueOf(api.handle("GET", "", Map.of(), null).data())
        + api.handle("GET", "/" + id, Map.of(), null).data()
        + api.handle("POST", "/test", Map.of(), body(SECRET)).data()
        + repo.list();
    assertThat(everything).doesNotContain(SECRET).doesNotContain("sealed:");
    assertThat(logs.list).isNotEmpty().allSatisfy(e -> assertThat(e.getFormattedMessage()
        + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage())).doesNotContain(SECRET));
    assertThat(repo.list().getFirst().sealedPassword()).doesNotContain(SECRET);
  }

  @Test
  @SuppressWarnings("unchecked")
  void testConnection_wrongPasswordOrPin_reportsTheReason() {
    Map<String, Object> ok = (Map<String, Object>) api.handle("POST", "/test", Map.of(), body(SECRET)).data();
    assertThat(ok).containsEntry("ok", true);
    Map<String, Object> bad = (Map<String, Object>) api.handle("POST", "/test", Map.of(), body("nope")).data();
    assertThat(bad).containsEntry("ok", false);
    assertThat((String) bad.get("error")).contains("InvalidLogin");
    Map<String, Object> b = body(SECRET);
    b.put("pinnedSha256", "11".repeat(32));
    Map<String, Object> pin = (Map<String, Object>) api.handle("POST", "/test", Map.of(), b).data();
    assertThat((String) pin.get("error")).contains("does not match the pinned fingerprint");
  }

  @Test
  void collect_vcenterDiesAndComesBack_reportsErrorThenRecoversWithANewSession() throws Exception {
    String id = create(SECRET);
    assertThat(collect(id).state()).isEqualTo("ok");
    sim.kill();
    VCenterStatus down = collect(id);
    assertThat(down.state()).isEqualTo("error");
    assertThat(down.lastError()).contains("QueryPerf");
    assertThat(sink.named("vsphere_collector_up").getLast().value()).isZero();
    sim = sim.restartOnSamePort();
    VCenterStatus back = collect(id);
    assertThat(back.state()).as(back.lastError()).isEqualTo("ok");
    assertThat(back.logins()).isEqualTo(2); // the new simulator did not know the old session
    assertThat(back.errors()).as(back.toString()).isEqualTo(1);
  }

  /**
   * A new connection whose first cycle fails (the vCenter is not up yet) is tried again within
   * seconds, not one performance interval (here 10 minutes) later, and says so at WARN.
   */
  @Test
  void firstCycle_vcenterNotUpYet_isTriedAgainSoonNotAfterTheInterval() throws Exception {
    sim.kill();
    VsphereApi.Response r = api.handle("POST", "", Map.of(), body(SECRET)); // perfIntervalSeconds 600
    assertThat(r.status()).as(String.valueOf(r.error())).isEqualTo(200);
    @SuppressWarnings("unchecked")
    String id = (String) ((Map<String, Object>) r.data()).get("id");
    await().atMost(Duration.ofSeconds(30)).until(() -> service.status(id).orElseThrow().cycles() >= 1);
    assertThat(service.status(id).orElseThrow().state()).isEqualTo("error");
    VcSim dead = sim;
    sim = dead.restartOnSamePort();
    dead.close();
    await().atMost(Duration.ofSeconds(40)).until(() -> !sink.named("vsphere_vm_cpu_usage_ratio").isEmpty());
    await().atMost(Duration.ofSeconds(5)).until(() -> service.status(id).orElseThrow().state().equals("ok"));
    assertThat(logs.list).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
      assertThat(e.getFormattedMessage()).contains("vc-lab: cycle failed (inventory: ").contains("next cycle in 5000 ms");
    });
  }

  /**
   * A cycle that asks for samples and gets none stored (storage refused them all) is not "ok":
   * the status says so, a WARN says so, and the next cycle follows soon; once storage takes them
   * the cycles return to the interval.
   */
  @Test
  void firstCycle_noSampleStored_isAnErrorAndTriedAgainSoon() {
    java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean(true);
    TestParts.Sink refusing = new TestParts.Sink() {
      @Override
      public synchronized syslens.storage.AppendStatus[] write(List<Sample> batch) {
        if (refuse.get() && batch.stream().anyMatch(x -> x.nodeId() != null)) {
          syslens.storage.AppendStatus[] st = new syslens.storage.AppendStatus[batch.size()];
          java.util.Arrays.fill(st, syslens.storage.AppendStatus.OUT_OF_BOUNDS);
          return st;
        }
        return super.write(batch);
      }
    };
    try (VsphereService s = VsphereService.builder(repo, new TestParts.Cipher(), refusing, nodes)
        .failedCycleRetry(Duration.ofMillis(300)).build()) {
      VsphereApi a = new VsphereApi(s);
      VsphereApi.Response r = a.handle("POST", "", Map.of(), body(SECRET)); // perfIntervalSeconds 600
      @SuppressWarnings("unchecked")
      String id = (String) ((Map<String, Object>) r.data()).get("id");
      await().atMost(Duration.ofSeconds(30)).until(() -> s.status(id).orElseThrow().cycles() >= 2);
      VCenterStatus st = s.status(id).orElseThrow();
      assertThat(st.state()).isEqualTo("error");
      assertThat(st.lastError()).startsWith("performance: no samples stored yet (10 VMs and hosts asked, ")
          .endsWith(" rejected by storage)");
      assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
          .contains("vc-lab: cycle failed (performance: no samples stored yet").contains("next cycle in "));
      refuse.set(false);
      await().atMost(Duration.ofSeconds(30)).until(() -> !refusing.named("vsphere_vm_cpu_usage_ratio").isEmpty());
      await().atMost(Duration.ofSeconds(5)).until(() -> s.status(id).orElseThrow().state().equals("ok"));
      long cycles = s.status(id).orElseThrow().cycles();
      // back to one cycle per interval (600 s): none in the next 2 s, where the retries came every 0.3-1.2 s
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> s.status(id).orElseThrow().cycles() == cycles);
    }
  }

  @Test
  void delete_stopsCollectionAndForgetsTheConnection() {
    String id = create(SECRET);
    assertThat(api.handle("DELETE", "/" + id, Map.of(), null).data()).isEqualTo(Map.of("deleted", true));
    assertThat(api.handle("GET", "/" + id, Map.of(), null).status()).isEqualTo(404);
    assertThat(service.inventories()).isEmpty();
  }
}
