package syslens.vsphere.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import syslens.storage.Labels;
import syslens.vsphere.SampleSink;
import syslens.vsphere.VcSim;
import syslens.vsphere.client.Moref;
import syslens.vsphere.client.PerfCounter;
import syslens.vsphere.client.PerfEntityMetrics;
import syslens.vsphere.client.PerfMetricId;
import syslens.vsphere.client.PerfQuery;
import syslens.vsphere.client.VimClient;
import syslens.vsphere.client.VimClientConfig;
import syslens.vsphere.inventory.Inventory;
import syslens.vsphere.inventory.InventoryReader;
import syslens.vsphere.perf.MetricCatalog.Group;

/**
 * Per-instance series (per vCPU, virtual disk, NIC; per host CPU, storage device, adapter, vmnic)
 * against vcsim. Its {@code -stable-perf} samples sit on 20 s boundaries with values that depend
 * only on entity, counter, instance and time, so a QueryPerf of our own gives the same figures
 * the collector stored; main.go answers instance "*" as vCenter does (every instance and "").
 */
class PerfInstancesTest {
  static VcSim sim;
  static VimClient client;
  static Map<String, PerfCounter> counters;
  static List<PerfTarget> targets = new ArrayList<>();
  static ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeAll
  static void start() throws IOException {
    sim = VcSim.start("-cluster", "1", "-host", "2", "-vm", "3", "-stable-perf");
    client = VimClient.create(VimClientConfig.builder(sim.url(), VcSim.USER, VcSim.PASSWORD)
        .pinnedSha256(sim.sha256()).backoff(Duration.ofMillis(10)).build());
    counters = client.perfCounters();
    Inventory inv = new InventoryReader(Clock.systemUTC(), 1000).read(client, "vc1");
    inv.hosts().forEach(h -> targets.add(new PerfTarget(new Moref("HostSystem", h.id()), MetricCatalog.Kind.HOST,
        "esxi:" + h.id(), Labels.of("vcenter", "vc1", "esxhost", h.name(), "instance", h.name()))));
    inv.vms().forEach(v -> targets.add(new PerfTarget(new Moref("VirtualMachine", v.id()), MetricCatalog.Kind.VM,
        "vm:" + v.instanceUuid(), Labels.of("vcenter", "vc1", "esxhost", v.host(), "vm", v.name(),
            "instance", v.name()))));
  }

  @AfterAll
  static void stop() {
    client.close();
    sim.close();
    executor.shutdownNow();
  }

  static PerfReaderTest.Sink collect(PerfInstances instances) {
    PerfReaderTest.Sink sink = new PerfReaderTest.Sink();
    PerfReader.Result r = new PerfReader(Clock.systemUTC(), executor, 256, instances)
        .collect(client, counters, -1, targets, sink, Duration.ofSeconds(30));
    assertThat(r.failedQueries()).isZero();
    assertThat(r.rejected()).isZero();
    return sink;
  }

  static List<SampleSink.Sample> named(PerfReaderTest.Sink sink, String name) {
    return sink.samples.stream().filter(s -> s.labels().metricName().equals(name)).toList();
  }

  /** The instances vcsim lists for one entity and counter (QueryAvailablePerfMetric), "" left out. */
  static Set<String> available(PerfTarget t, String counter) {
    int id = counters.get(counter).key();
    return client.availablePerfMetrics(t.entity(), 20).stream().filter(m -> m.counterId() == id)
        .map(PerfMetricId::instance).filter(i -> !i.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
  }

  static Set<String> label(List<SampleSink.Sample> samples, PerfTarget t, String label) {
    return samples.stream().filter(s -> t.nodeId().equals(s.nodeId())).map(s -> s.labels().get(label))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static List<PerfTarget> of(MetricCatalog.Kind kind) {
    return targets.stream().filter(t -> t.kind() == kind).toList();
  }

  @Test
  void collect_allInstances_writesOneSeriesPerInstanceBesideTheAggregate() {
    PerfReaderTest.Sink sink = collect(PerfInstances.all());
    for (PerfTarget vm : of(MetricCatalog.Kind.VM)) {
      assertThat(label(named(sink, "vsphere_vm_virtual_disk_read_bytes_per_second"), vm, "device"))
          .containsExactly("scsi0:0").isEqualTo(available(vm, "virtualDisk.read.average"));
      assertThat(label(named(sink, "vsphere_vm_nic_received_bytes_per_second"), vm, "device"))
          .contains("4000").isEqualTo(available(vm, "net.received.average"));
      assertThat(label(named(sink, "vsphere_vm_vcpu_ready_ratio"), vm, "cpu"))
          .contains("0").isEqualTo(available(vm, "cpu.ready.summation"));
      // the aggregates are still there, without an instance label
      assertThat(named(sink, "vsphere_vm_net_received_bytes_per_second"))
          .filteredOn(s -> vm.nodeId().equals(s.nodeId())).singleElement()
          .satisfies(s -> assertThat(s.labels().get("device")).isEmpty());
      assertThat(named(sink, "vsphere_vm_cpu_ready_ratio"))
          .filteredOn(s -> vm.nodeId().equals(s.nodeId())).singleElement()
          .satisfies(s -> assertThat(s.labels().get("cpu")).isEmpty());
    }
    for (PerfTarget host : of(MetricCatalog.Kind.HOST)) {
      assertThat(label(named(sink, "vsphere_host_pcpu_usage_ratio"), host, "cpu"))
          .hasSizeGreaterThan(1).isEqualTo(available(host, "cpu.usage.average"));
      assertThat(label(named(sink, "vsphere_host_storage_adapter_read_bytes_per_second"), host, "device"))
          .containsExactly("vmhba0", "vmhba1", "vmhba32");
      assertThat(label(named(sink, "vsphere_host_nic_received_bytes_per_second"), host, "device"))
          .containsExactly("vmnic0");
      assertThat(label(named(sink, "vsphere_host_lun_read_bytes_per_second"), host, "device"))
          .isEqualTo(available(host, "disk.read.average")).hasSize(1);
      assertThat(named(sink, "vsphere_host_disk_read_bytes_per_second"))
          .filteredOn(s -> host.nodeId().equals(s.nodeId())).singleElement()
          .satisfies(s -> assertThat(s.labels().get("device")).isEmpty());
    }
    // every per-instance series keeps the entity's identity and labels; "instance" stays the
    // entity's name (Prometheus's meaning), never a vSphere instance
    assertThat(sink.samples).filteredOn(s -> !s.labels().get("cpu").isEmpty() || !s.labels().get("device").isEmpty())
        .isNotEmpty().allSatisfy(s -> {
          assertThat(s.labels().get("vcenter")).isEqualTo("vc1");
          PerfTarget owner = targets.stream().filter(t -> t.nodeId().equals(s.nodeId())).findFirst().orElseThrow();
          assertThat(s.labels().get("instance")).isEqualTo(owner.labels().get("instance"));
        });
  }

  @Test
  void collect_perInstanceValues_matchWhatVcsimReportsForThatInstance() {
    PerfReaderTest.Sink sink = collect(PerfInstances.all());
    PerfTarget vm = of(MetricCatalog.Kind.VM).getFirst();
    PerfTarget host = of(MetricCatalog.Kind.HOST).getFirst();
    record Probe(PerfTarget t, String counter, String instance, String name, Predicate<Labels> match, double scale) {}
    List<Probe> probes = List.of(
        new Probe(vm, "virtualDisk.read.average", "scsi0:0", "vsphere_vm_virtual_disk_read_bytes_per_second",
            l -> "scsi0:0".equals(l.get("device")), 1024),
        new Probe(vm, "virtualDisk.write.average", "scsi0:0", "vsphere_vm_virtual_disk_write_bytes_per_second",
            l -> "scsi0:0".equals(l.get("device")), 1024),
        new Probe(vm, "net.transmitted.average", "4000", "vsphere_vm_nic_transmitted_bytes_per_second",
            l -> "4000".equals(l.get("device")), 1024),
        new Probe(vm, "cpu.ready.summation", "0", "vsphere_vm_vcpu_ready_ratio",
            l -> "0".equals(l.get("cpu")), 1 / 20_000.0),
        new Probe(vm, "cpu.ready.summation", "", "vsphere_vm_cpu_ready_ratio", l -> l.get("cpu").isEmpty(), 1 / 20_000.0),
        new Probe(host, "cpu.usage.average", "1", "vsphere_host_pcpu_usage_ratio", l -> "1".equals(l.get("cpu")),
            1 / 10_000.0),
        new Probe(host, "storageAdapter.write.average", "vmhba1", "vsphere_host_storage_adapter_write_bytes_per_second",
            l -> "vmhba1".equals(l.get("device")), 1024),
        new Probe(host, "net.received.average", "vmnic0", "vsphere_host_nic_received_bytes_per_second",
            l -> "vmnic0".equals(l.get("device")), 1024));
    for (Probe p : probes) {
      SampleSink.Sample stored = named(sink, p.name()).stream()
          .filter(s -> p.t().nodeId().equals(s.nodeId()) && p.match().test(s.labels())).findFirst()
          .orElseThrow(() -> new AssertionError("no " + p.name() + " " + p.instance() + " stored"));
      // ask vcsim ourselves for that sample (and the next, should a 20 s boundary have passed)
      PerfEntityMetrics m = client.queryPerf(List.of(new PerfQuery(p.t().entity(),
          Instant.ofEpochMilli(stored.timestampMs() - 1000), 3,
          List.of(new PerfMetricId(counters.get(p.counter()).key(), p.instance())), 20))).getFirst();
      int at = -1;
      for (int i = 0; i < m.timestampsMs().length; i++) {
        if (m.timestampsMs()[i] == stored.timestampMs()) {
          at = i;
        }
      }
      assertThat(at).as("%s: vcsim has the stored sample's time", p.name()).isNotNegative();
      assertThat(stored.value()).as(p.name() + " " + p.instance())
          .isCloseTo(m.series().getFirst().values()[at] * p.scale(), org.assertj.core.data.Percentage.withPercentage(1e-9));
    }
  }

  @Test
  void collect_defaults_giveDisksAndNicsButNoPerCpuSeries() {
    PerfReaderTest.Sink sink = collect(PerfInstances.defaults());
    assertThat(named(sink, "vsphere_vm_virtual_disk_write_bytes_per_second")).hasSize(3);
    assertThat(named(sink, "vsphere_vm_nic_received_bytes_per_second")).isNotEmpty();
    assertThat(named(sink, "vsphere_host_storage_adapter_read_bytes_per_second")).hasSize(2 * 3);
    assertThat(sink.samples).noneMatch(s -> !s.labels().get("cpu").isEmpty());
  }

  @Test
  void collect_instancesOff_writesOnlyAggregates() {
    PerfReaderTest.Sink none = collect(PerfInstances.none());
    assertThat(none.samples).isNotEmpty().noneMatch(s -> !s.labels().get("cpu").isEmpty() || !s.labels().get("device").isEmpty())
        .noneMatch(s -> s.labels().metricName().matches("vsphere_(vm|host)_(vcpu|pcpu|nic|virtual_disk|lun|storage_adapter)_.*"));
    assertThat(named(none, "vsphere_vm_net_received_bytes_per_second")).hasSize(3);
    assertThat(named(none, "vsphere_host_disk_read_bytes_per_second")).hasSize(2);
  }

  @Test
  void queries_askInstanceStarOnlyForCountersOfGroupsSwitchedOn() {
    PerfReader reader = new PerfReader(Clock.systemUTC(), executor, 256,
        new PerfInstances(Set.of(Group.NET), Set.of()));
    Map<MetricCatalog.Kind, PerfReader.Query> q = reader.queries(counters);
    int received = counters.get("net.received.average").key();
    int ready = counters.get("cpu.ready.summation").key();
    assertThat(q.get(MetricCatalog.Kind.VM).ids()).contains(new PerfMetricId(received, "*"), new PerfMetricId(ready, ""))
        .filteredOn(id -> id.instance().equals("*")).hasSize(4); // received, transmitted, droppedRx, droppedTx
    assertThat(q.get(MetricCatalog.Kind.VM).ids()).extracting(PerfMetricId::counterId).doesNotHaveDuplicates();
    assertThat(q.get(MetricCatalog.Kind.HOST).ids()).allMatch(id -> id.instance().isEmpty());
  }

  @Test
  void plan_perInstanceCounters_packsBatchesByTheValuesTheirAnswersHold() {
    PerfReader reader = new PerfReader(Clock.systemUTC(), executor, 256, PerfInstances.all());
    Map<MetricCatalog.Kind, PerfReader.Query> q = reader.queries(counters);
    PerfReader.Query vm = q.get(MetricCatalog.Kind.VM);
    long star = vm.ids().stream().filter(id -> id.instance().equals("*")).count();
    assertThat(star).isEqualTo(12); // 4 per vCPU, 4 per virtual disk, 4 per NIC
    // before any answer: the metric ids plus three instances per "*" counter
    assertThat(reader.seriesPerEntity(MetricCatalog.Kind.VM, vm)).isEqualTo(vm.ids().size() + 3.0 * star);
    reader.collect(client, counters, -1, targets, new PerfReaderTest.Sink(), Duration.ofSeconds(30));
    // then: the series one VM's answer really holds (vcsim's VMs are alike)
    int series = client.queryPerf(List.of(new PerfQuery(of(MetricCatalog.Kind.VM).getFirst().entity(), null, 1,
        vm.ids(), 20))).getFirst().series().size();
    assertThat(series).isGreaterThan(vm.ids().size());
    assertThat(reader.seriesPerEntity(MetricCatalog.Kind.VM, vm)).isEqualTo(series);
    // 2,000 VMs the reader has not seen (one sample each): batches of at most 256 and VALUES_PER_QUERY values
    List<PerfTarget> many = new ArrayList<>();
    PerfTarget proto = of(MetricCatalog.Kind.VM).getFirst();
    for (int i = 0; i < 2000; i++) {
      many.add(new PerfTarget(proto.entity(), MetricCatalog.Kind.VM, "vm:x" + i, proto.labels()));
    }
    List<List<PerfTarget>> batches = reader.plan(many, -1, q);
    int expected = (int) Math.min(256, PerfReader.VALUES_PER_QUERY / (double) series);
    assertThat(batches.getFirst()).hasSize(expected);
    assertThat(batches).allSatisfy(b -> assertThat(b.size() * series).isLessThanOrEqualTo(PerfReader.VALUES_PER_QUERY));
    assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(2000);
    // the VMs collected above ask for more than one sample now only if a 20 s boundary passed;
    // either way their batch stays within the budget
    assertThat(reader.plan(of(MetricCatalog.Kind.VM), -1, q)).singleElement().satisfies(b -> assertThat(b).hasSize(3));
  }

  @Test
  void parse_badGroup_namesTheOptionAndWhatIsExpected() {
    assertThat(PerfInstances.parse("--vsphere-vm-instances", "disk, net")).containsExactlyInAnyOrder(Group.DISK, Group.NET);
    assertThat(PerfInstances.parse("--vsphere-vm-instances", "none")).isEmpty();
    assertThat(PerfInstances.parse("--vsphere-vm-instances", "ALL")).hasSize(3);
    assertThatThrownBy(() -> PerfInstances.parse("--vsphere-vm-instances", "disks"))
        .hasMessage("--vsphere-vm-instances: 'disks' (expected: none, all, or a comma-separated list of cpu, disk, net)");
    assertThat(PerfInstances.format(PerfInstances.defaults().vm())).isEqualTo("disk,net");
  }
}
