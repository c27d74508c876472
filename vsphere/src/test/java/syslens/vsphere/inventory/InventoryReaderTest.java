package syslens.vsphere.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import syslens.vsphere.VcSim;
import syslens.vsphere.client.VimClient;
import syslens.vsphere.client.VimClientConfig;

class InventoryReaderTest {
  static VcSim sim;
  static Inventory inv;

  @BeforeAll
  static void read() throws IOException {
    sim = VcSim.start("-dc", "2", "-cluster", "2", "-host", "3", "-vm", "4");
    try (VimClient c = VimClient.create(VimClientConfig.builder(sim.url(), VcSim.USER, VcSim.PASSWORD)
        .pinnedSha256(sim.sha256()).backoff(Duration.ofMillis(10)).build())) {
      inv = new InventoryReader(Clock.systemUTC(), 500).read(c, "vc1");
    }
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void read_counts_matchTheSimulatorModel() {
    assertThat(inv.vcenter()).isEqualTo("vc1");
    assertThat(inv.datacenters()).extracting(Inventory.Datacenter::name).containsExactlyInAnyOrder("DC0", "DC1");
    assertThat(inv.clusters()).hasSize(4);
    assertThat(inv.hosts()).hasSize(12);
    assertThat(inv.vms()).hasSize(16);
    assertThat(inv.datastores()).isNotEmpty().allSatisfy(d -> {
      assertThat(d.capacityBytes()).isPositive();
      assertThat(d.freeBytes()).isBetween(0L, d.capacityBytes());
      assertThat(d.datacenter()).isIn("DC0", "DC1");
    });
    assertThat(inv.networks()).extracting(Inventory.Network::name).contains("VM Network");
  }

  @Test
  void read_importantAttribute_marksOnlyThatVm() throws IOException {
    Inventory.Vm chosen = inv.vms().get(3);
    try (VimClient c = VimClient.create(VimClientConfig.builder(sim.url(), VcSim.USER, VcSim.PASSWORD)
        .pinnedSha256(sim.sha256()).backoff(Duration.ofMillis(10)).build())) {
      syslens.vsphere.client.Moref cfm = c.serviceContent().customFieldsManager();
      String key = c.invoke("AddCustomFieldDef", cfm, "<name>" + InventoryReader.IMPORTANT_FIELD
          + "</name><moType>VirtualMachine</moType>").child("returnval").childText("key");
      c.invoke("SetField", cfm, "<entity type=\"VirtualMachine\">" + chosen.id() + "</entity><key>" + key
          + "</key><value>yes</value>");
      c.invoke("SetField", cfm, "<entity type=\"VirtualMachine\">" + inv.vms().get(4).id() + "</entity><key>" + key
          + "</key><value>false</value>");
      Inventory again = new InventoryReader(Clock.systemUTC(), 500).read(c, "vc1");
      assertThat(again.vms()).filteredOn(Inventory.Vm::important).extracting(Inventory.Vm::id)
          .containsExactly(chosen.id());
      Inventory watched = new InventoryWatch(new InventoryReader(Clock.systemUTC(), 500), 500).refresh(c, "vc1");
      assertThat(watched.vms()).filteredOn(Inventory.Vm::important).extracting(Inventory.Vm::id)
          .containsExactly(chosen.id());
    }
    assertThat(inv.vms()).noneMatch(Inventory.Vm::important); // read before the attribute existed
  }

  @Test
  void read_relations_placeEveryVmOnAHostOfItsClusterAndDatacenter() {
    Map<String, Inventory.Host> hosts = inv.hosts().stream()
        .collect(Collectors.toMap(Inventory.Host::id, Function.identity()));
    for (Inventory.Vm vm : inv.vms()) {
      Inventory.Host h = hosts.get(vm.hostId());
      assertThat(h).as(vm.name()).isNotNull();
      assertThat(vm.host()).isEqualTo(h.name());
      assertThat(vm.cluster()).isEqualTo(h.cluster()).isNotEmpty();
      assertThat(vm.datacenter()).isEqualTo(h.datacenter());
      // vcsim names VMs <datacenter>_<cluster>_RP0_VM<n> and clusters <datacenter>_C<n>
      assertThat(vm.name()).startsWith(vm.cluster() + "_").startsWith(vm.datacenter() + "_");
      assertThat(vm.instanceUuid()).isNotEmpty();
      assertThat(vm.powerState()).isEqualTo("poweredOn");
      assertThat(vm.vcpus()).isPositive();
      assertThat(vm.memoryBytes()).isPositive();
      assertThat(vm.datastores()).isNotEmpty();
      assertThat(vm.networks()).isNotEmpty();
      assertThat(vm.resourcePool()).isEqualTo("Resources");
    }
    assertThat(inv.vms()).extracting(Inventory.Vm::instanceUuid).doesNotHaveDuplicates();
    assertThat(inv.hosts()).allSatisfy(h -> {
      assertThat(h.cluster()).startsWith(h.datacenter() + "_C");
      assertThat(h.cpuCores()).isPositive();
      assertThat(h.memoryBytes()).isPositive();
      assertThat(h.connectionState()).isEqualTo("connected");
    });
  }
}
