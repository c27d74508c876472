package syslens.vsphere.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;
import syslens.vsphere.SampleSink;
import syslens.vsphere.VcSim;
import syslens.vsphere.client.Moref;
import syslens.vsphere.client.PerfCounter;
import syslens.vsphere.client.VimClient;
import syslens.vsphere.client.VimClientConfig;
import syslens.vsphere.inventory.Inventory;
import syslens.vsphere.inventory.InventoryReader;

class PerfReaderTest {
  static VcSim sim;
  static VimClient client;
  static Map<String, PerfCounter> counters;
  static List<PerfTarget> targets = new ArrayList<>();
  static List<PerfTarget> historical = new ArrayList<>();
  static ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeAll
  static void start() throws IOException {
    sim = VcSim.start("-cluster", "2", "-host", "2", "-vm", "10");
    client = VimClient.create(VimClientConfig.builder(sim.url(), VcSim.USER, VcSim.PASSWORD)
        .pinnedSha256(sim.sha256()).backoff(Duration.ofMillis(10)).build());
    counters = client.perfCounters();
    Inventory inv = new InventoryReader(Clock.systemUTC(), 1000).read(client, "vc1");
    inv.hosts().forEach(h -> targets.add(new PerfTarget(new Moref("HostSystem", h.id()), MetricCatalog.Kind.HOST,
        "esxi:" + h.id(), Labels.of("vcenter", "vc1", "esxhost", h.name()))));
    inv.vms().forEach(v -> targets.add(new PerfTarget(new Moref("VirtualMachine", v.id()), MetricCatalog.Kind.VM,
        "vm:" + v.instanceUuid(), Labels.of("vcenter", "vc1", "esxhost", v.host(), "vm", v.name()))));
    inv.clusters().forEach(c -> historical.add(new PerfTarget(new Moref("ClusterComputeResource", c.id()),
        MetricCatalog.Kind.CLUSTER, null, Labels.of("vcenter", "vc1", "cluster", c.name()))));
    inv.datastores().forEach(d -> historical.add(new PerfTarget(new Moref("Datastore", d.id()),
        MetricCatalog.Kind.DATASTORE, null, Labels.of("vcenter", "vc1", "datastore", d.name()))));
  }

  @AfterAll
  static void stop() {
    client.close();
    sim.close();
    executor.shutdownNow();
  }

  /** Records samples and refuses any not newer than its series' last, as storage does. */
  static final class Sink implements SampleSink {
    final List<Sample> samples = new ArrayList<>();
    final Map<Labels, Long> last = new HashMap<>();

    @Override
    public synchronized AppendStatus[] write(List<Sample> batch) {
      AppendStatus[] st = new AppendStatus[batch.size()];
      for (int i = 0; i < st.length; i++) {
        Sample s = batch.get(i);
        Long l = last.get(s.labels());
        st[i] = l != null && l >= s.timestampMs() ? AppendStatus.OUT_OF_ORDER : AppendStatus.OK;
        if (st[i] == AppendStatus.OK) {
          last.put(s.labels(), s.timestampMs());
          samples.add(s);
        }
      }
      return st;
    }
  }

  @Test
  void collect_firstCycle_writesEveryCounterOfEveryTargetWithItsNodeIdentity() {
    PerfReader reader = new PerfReader(Clock.systemUTC(), executor, 256, PerfInstances.none());
    Sink sink = new Sink();
    PerfReader.Result r = reader.collect(client, counters, -1, targets, sink, Duration.ofSeconds(30));
    int vmCounters = MetricCatalog.resolve(counters, MetricCatalog.Kind.VM).size();
    int hostCounters = MetricCatalog.resolve(counters, MetricCatalog.Kind.HOST).size();
    assertThat(vmCounters).isGreaterThanOrEqualTo(18);
    assertThat(r.failedQueries()).isZero();
    // vcsim leaves zero values out of its XML, so a counter whose sample is 0 yields nothing;
    // the others yield exactly one sample per target.
    assertThat(r.samples()).isEqualTo(r.accepted()).isBetween(20L * 10, 20L * vmCounters + 4L * hostCounters);
    assertThat(sink.samples.stream().collect(java.util.stream.Collectors.groupingBy(
        s -> s.nodeId() + s.labels(), java.util.stream.Collectors.counting())).values())
        .containsOnly(1L);
    assertThat(r.queries()).isEqualTo(2); // one VM batch, one host batch
    assertThat(sink.samples).filteredOn(s -> s.labels().metricName().equals("vsphere_vm_cpu_usage_ratio"))
        .hasSize(20).allSatisfy(s -> {
          assertThat(s.value()).isBetween(0.0, 1.0);
          assertThat(s.nodeId()).startsWith("vm:");
          assertThat(s.labels().get("vm")).isNotEmpty();
        });
    assertThat(sink.samples).filteredOn(s -> s.labels().metricName().equals("vsphere_host_memory_consumed_bytes"))
        .hasSize(4).allSatisfy(s -> assertThat(s.nodeId()).startsWith("esxi:"));
    assertThat(sink.samples).extracting(s -> s.labels().metricName())
        .allMatch(n -> n.matches("vsphere_(vm|host)_[a-z_]+_(ratio|bytes|hertz|seconds|bytes_per_second|packets_per_second)"));
  }

  @Test
  void collect_secondCycle_writesOnlySamplesNewerThanTheFirst() {
    PerfReader reader = new PerfReader(Clock.systemUTC(), executor, 256, PerfInstances.defaults());
    Sink sink = new Sink();
    reader.collect(client, counters, -1, targets, sink, Duration.ofSeconds(30));
    int first = sink.samples.size();
    PerfReader.Result second = reader.collect(client, counters, -1, targets, sink, Duration.ofSeconds(30));
    assertThat(second.rejected()).as("nothing written twice").isZero();
    assertThat(sink.samples.size()).isEqualTo(first + second.samples());
  }

  @Test
  void collect_maxQueryMetrics64_splitsIntoBatchesWithinTheLimit() {
    PerfReader reader = new PerfReader(Clock.systemUTC(), executor, 256, PerfInstances.defaults());
    // one metric id per counter: a counter asked per instance ("*") counts once
    int vmCounters = reader.queries(counters).get(MetricCatalog.Kind.VM).ids().size();
    int perQuery = reader.batchSize(64, vmCounters);
    assertThat(perQuery * vmCounters).isLessThanOrEqualTo(64);
    PerfReader.Result r = reader.collect(client, counters, 64, targets, new Sink(), Duration.ofSeconds(30));
    int hostPerQuery = reader.batchSize(64, reader.queries(counters).get(MetricCatalog.Kind.HOST).ids().size());
    assertThat(r.queries()).isEqualTo((20 + perQuery - 1) / perQuery + (4 + hostPerQuery - 1) / hostPerQuery);
    assertThat(r.failedQueries()).isZero();
  }

  @Test
  void collect_fiveMinuteInterval_writesClusterAndDatastoreSeriesWithoutNodeIdentity() {
    PerfReader reader = new PerfReader(Clock.systemUTC(), executor, 256, PerfReader.FIVE_MINUTES, PerfInstances.none());
    Sink sink = new Sink();
    PerfReader.Result r = reader.collect(client, counters, -1, historical, sink, Duration.ofSeconds(30));
    assertThat(r.failedQueries()).isZero();
    assertThat(MetricCatalog.resolve(counters, MetricCatalog.Kind.CLUSTER)).hasSizeGreaterThanOrEqualTo(4);
    assertThat(sink.samples).filteredOn(s -> s.labels().metricName().equals("vsphere_cluster_cpu_usage_ratio"))
        .hasSize(2).allSatisfy(s -> {
          assertThat(s.nodeId()).isNull();
          assertThat(s.labels().get("cluster")).isNotEmpty();
          assertThat(s.value()).isBetween(0.0, 1.0);
          // the 5-minute interval's sample times, not realtime ones
          assertThat(s.timestampMs()).isLessThanOrEqualTo(System.currentTimeMillis());
        });
    assertThat(sink.samples).filteredOn(s -> s.labels().metricName().startsWith("vsphere_datastore_"))
        .isNotEmpty().allSatisfy(s -> assertThat(s.labels().get("datastore")).isNotEmpty());
    PerfReader.Result again = reader.collect(client, counters, -1, historical, sink, Duration.ofSeconds(30));
    assertThat(again.rejected()).as("a repeated 5-minute sample is not written twice").isZero();
  }

  @Test
  void plan_importantVms_areAskedForBeforeHostsAndOtherVms() {
    PerfReader reader = new PerfReader(Clock.systemUTC(), executor, 4, PerfInstances.defaults());
    List<PerfTarget> marked = new ArrayList<>();
    for (PerfTarget t : targets) {
      boolean important = t.kind() == MetricCatalog.Kind.VM && t.labels().get("vm").endsWith("VM7");
      marked.add(new PerfTarget(t.entity(), t.kind(), t.nodeId(), t.labels(), important));
    }
    List<List<PerfTarget>> plan = reader.plan(marked, -1, reader.queries(counters));
    assertThat(plan.getFirst()).hasSize(2).allMatch(PerfTarget::important); // one VM7 per cluster
    assertThat(plan.get(1)).allMatch(t -> t.kind() == MetricCatalog.Kind.HOST);
    assertThat(plan.stream().mapToInt(List::size).sum()).isEqualTo(targets.size());
    assertThat(plan.subList(1, plan.size())).allSatisfy(b -> assertThat(b).noneMatch(PerfTarget::important));
  }

  @Test
  void batchSize_unlimitedVcenter_usesOurCap() {
    PerfReader reader = new PerfReader(Clock.systemUTC(), executor, 100, PerfInstances.defaults());
    assertThat(reader.batchSize(-1, 20)).isEqualTo(100);
    assertThat(reader.batchSize(0, 20)).isEqualTo(100);
    assertThat(reader.batchSize(10, 20)).isEqualTo(1);
    assertThat(reader.batchSize(100_000, 20)).isEqualTo(100);
  }

  @Test
  void scale_vsphereUnits_becomeBaseUnits() {
    assertThat(MetricCatalog.Scale.HUNDREDTHS_PERCENT_TO_RATIO.apply(2_550, 20)).isEqualTo(0.255);
    assertThat(MetricCatalog.Scale.KIB_TO_BYTES.apply(2, 20)).isEqualTo(2048.0);
    assertThat(MetricCatalog.Scale.MS_PER_INTERVAL_TO_RATIO.apply(1_000, 20)).isEqualTo(0.05);
    assertThat(MetricCatalog.Scale.COUNT_PER_INTERVAL_TO_RATE.apply(40, 20)).isEqualTo(2.0);
    assertThat(MetricCatalog.Scale.MHZ_TO_HERTZ.apply(3, 20)).isEqualTo(3e6);
    assertThat(MetricCatalog.Scale.MS_TO_SECONDS.apply(15, 20)).isEqualTo(0.015);
  }

  /**
   * Writers are held in the sink until the test lets them go: with a bound of 2 on one-entity
   * batches, 2 batches reach the sink and the others wait their turn (without the bound every
   * batch's QueryPerf would finish and reach the sink within the half second watched).
   */
  @Test
  void maxInFlight_boundsTheBatchesOfACycleAtOnce() throws Exception {
    int bound = 2;
    java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    SampleSink sink = batch -> {
      most.accumulateAndGet(inside.incrementAndGet(), Math::max);
      try {
        release.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inside.decrementAndGet();
      AppendStatus[] st = new AppendStatus[batch.size()];
      java.util.Arrays.fill(st, AppendStatus.OK);
      return st;
    };
    PerfReader reader = new PerfReader(Clock.systemUTC(), executor, 1, PerfInstances.none()).maxInFlight(bound);
    java.util.concurrent.Future<PerfReader.Result> cycle = executor.submit(
        () -> reader.collect(client, counters, -1, targets, sink, Duration.ofSeconds(60)));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> inside.get() == bound);
    org.awaitility.Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> inside.get() <= bound);
    release.countDown();
    PerfReader.Result r = cycle.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.queries()).isEqualTo(targets.size()).isGreaterThan(bound + 2);
    assertThat(r.failedQueries()).isZero();
    assertThat(most.get()).isEqualTo(bound);
    assertThat(r.samples()).isPositive();
  }

  @Test
  void result_saysWhereTheCycleTimeWent() {
    PerfReader reader = new PerfReader(Clock.systemUTC(), executor, 8, PerfInstances.defaults());
    PerfReader.Result r = reader.collect(client, counters, -1, targets, new Sink(), Duration.ofSeconds(30));
    assertThat(r.failedQueries()).isZero();
    assertThat(r.queryNanos()).as("QueryPerf calls").isPositive();
    assertThat(r.convertNanos()).as("answers to samples").isPositive();
    assertThat(r.writeNanos()).as("storage writes").isPositive();
    assertThat(reader.maxInFlight(0)).isSameAs(reader);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> reader.maxInFlight(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: >= 0");
  }
}
