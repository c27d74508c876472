package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.vsphere.VcSim;
import syslens.vsphere.VsphereNodes;
import syslens.vsphere.client.VimClient;
import syslens.vsphere.client.VimClientConfig;
import syslens.vsphere.inventory.Inventory;
import syslens.vsphere.inventory.InventoryReader;

/**
 * Drives the vSphere pages in Debian's headless Chromium (dashboard/e2e/vsphere-e2e.mjs) against a
 * real server and govmomi's vCenter simulator: adds the simulator through the connection form
 * (test, save), waits for its state and object counts, walks the inventory tree down to a VM, checks
 * the tree's counts in Chinese and Japanese, the node list filtered to VMs, and a VM's node page with
 * its charts, then a dashboard made from the built-in "VMware cluster" with data in every panel (as
 * many VMs and hosts reporting as the simulator has). What the pages must show is read from the
 * simulator itself beforehand. Screenshots in server/target/screenshots/.
 */
class VsphereBrowserTest {
  @TempDir Path dir;

  @Test
  void vsphere_connectionInventoryTreeVmListDetailAndClusterDashboard_workInTheBrowser() throws Exception {
    BrowserE2e.chromium();
    try (VcSim sim = VcSim.start("-dc", "1", "-cluster", "1", "-host", "2", "-vm", "3");
        TestServer s = new TestServer(dir, Duration.ofSeconds(10))) {
      Inventory inv;
      try (VimClient c = VimClient.create(VimClientConfig.builder(sim.url(), VcSim.USER, VcSim.PASSWORD)
          .pinnedSha256(sim.sha256()).build())) {
        inv = new InventoryReader(Clock.systemUTC(), 1000).read(c, "lab");
      }
      assertThat(inv.vms()).hasSize(3);
      Inventory.Vm vm = inv.vms().getFirst();
      List<String> vmIds = inv.vms().stream().map(v -> VsphereNodes.vmId("lab", v)).toList();
      Map<String, String> env = new java.util.HashMap<>(Map.of(
          "VCSIM_URL", sim.url().toString(), "VCSIM_USER", VcSim.USER, "VCSIM_PASSWORD", VcSim.PASSWORD,
          "VCSIM_SHA256", sim.sha256(), "VC_NAME", "lab", "VM_NAME", vm.name(), "VM_ID", VsphereNodes.vmId("lab", vm),
          "VM_IDS", String.join(",", vmIds)));
      env.putAll(Map.of("DATACENTERS", Integer.toString(inv.datacenters().size()),
          "CLUSTERS", Integer.toString(inv.clusters().size()), "HOSTS", Integer.toString(inv.hosts().size()),
          "VMS", Integer.toString(inv.vms().size())));
      BrowserE2e.run(s, "vsphere-e2e.mjs", env, Duration.ofSeconds(180)); // one more page (the dashboard) than before
      for (String shot : List.of("vsphere-connections-en", "vsphere-inventory-zh-CN", "vsphere-inventory-ja-JP",
          "vsphere-vm-detail", "vsphere-dashboard-cluster")) {
        assertThat(BrowserE2e.SHOTS.resolve(shot + ".png")).isNotEmptyFile();
      }
    }
  }
}
