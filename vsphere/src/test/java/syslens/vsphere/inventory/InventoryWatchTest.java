package syslens.vsphere.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import syslens.vsphere.VcSim;
import syslens.vsphere.client.Moref;
import syslens.vsphere.client.VimClient;
import syslens.vsphere.client.VimClientConfig;

class InventoryWatchTest {
  VcSim sim;
  VimClient client;
  InventoryWatch watch = new InventoryWatch(new InventoryReader(Clock.systemUTC(), 1000), 1000);

  @BeforeEach
  void start() throws IOException {
    sim = VcSim.start("-cluster", "1", "-host", "2", "-vm", "4");
    client = VimClient.create(VimClientConfig.builder(sim.url(), VcSim.USER, VcSim.PASSWORD)
        .pinnedSha256(sim.sha256()).backoff(Duration.ofMillis(10)).build());
  }

  @AfterEach
  void stop() {
    client.close();
    sim.close();
  }

  Inventory.Vm vm(Inventory inv, String id) {
    return inv.vms().stream().filter(v -> v.id().equals(id)).findFirst().orElse(null);
  }

  @Test
  void refresh_firstTime_readsWhatRetrievePropertiesReads() {
    Inventory watched = watch.refresh(client, "vc");
    Inventory read = new InventoryReader(Clock.systemUTC(), 1000).read(client, "vc");
    assertThat(watched.vms()).containsExactlyInAnyOrderElementsOf(read.vms());
    assertThat(watched.hosts()).containsExactlyInAnyOrderElementsOf(read.hosts());
    assertThat(watched.datastores()).hasSameSizeAs(read.datastores());
    assertThat(watch.fullReads()).isEqualTo(1);
  }

  @Test
  void refresh_nothingChanged_handsBackTheSameListsCollectedNow() {
    Inventory first = watch.refresh(client, "vc");
    Inventory again = watch.refresh(client, "vc");
    assertThat(watch.incrementalReads()).isEqualTo(1);
    // the same objects: the collector keeps its perf targets and series labels by identity
    assertThat(again.vms()).isSameAs(first.vms());
    assertThat(again.hosts()).isSameAs(first.hosts());
    assertThat(again.collectedAt()).isAfterOrEqualTo(first.collectedAt());
  }

  @Test
  void refresh_afterChangesInVcenter_appliesThemIncrementally() {
    Inventory first = watch.refresh(client, "vc");
    String powered = first.vms().get(0).id();
    String renamed = first.vms().get(1).id();
    String destroyed = first.vms().get(2).id();
    client.invoke("PowerOffVM_Task", new Moref("VirtualMachine", powered), "");
    client.invoke("Rename_Task", new Moref("VirtualMachine", renamed), "<newName>renamed-vm</newName>");
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      Inventory now = watch.refresh(client, "vc");
      return "poweredOff".equals(vm(now, powered).powerState()) && "renamed-vm".equals(vm(now, renamed).name());
    });
    client.invoke("PowerOffVM_Task", new Moref("VirtualMachine", destroyed), "");
    await().atMost(Duration.ofSeconds(30)).until(() -> "poweredOff".equals(vm(watch.refresh(client, "vc"), destroyed)
        .powerState()));
    client.invoke("Destroy_Task", new Moref("VirtualMachine", destroyed), "");
    await().atMost(Duration.ofSeconds(30)).until(() -> vm(watch.refresh(client, "vc"), destroyed) == null);
    Inventory last = watch.refresh(client, "vc");
    assertThat(last.vms()).hasSize(first.vms().size() - 1);
    assertThat(vm(last, renamed).host()).isEqualTo(vm(first, renamed).host());
    assertThat(watch.fullReads()).as("all of it without reading everything again").isEqualTo(1);
    assertThat(watch.incrementalReads()).isPositive();
  }

  @Test
  void refresh_afterANewSession_readsEverythingAgain() {
    watch.refresh(client, "vc");
    client.invoke("Logout", client.serviceContent().sessionManager(), "");
    Inventory again = watch.refresh(client, "vc");
    assertThat(again.vms()).hasSize(4);
    assertThat(watch.fullReads()).isEqualTo(2);
  }
}
