package syslens.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static syslens.agent.collect.Fixtures.byKey;
import static syslens.agent.collect.Fixtures.collect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetClassCollectorTest {

  @TempDir
  Path sys;

  private void device(String name, String... attrs) throws Exception {
    Path dir = Files.createDirectories(sys.resolve("class/net").resolve(name));
    for (int i = 0; i < attrs.length; i += 2) {
      Files.writeString(dir.resolve(attrs[i]), attrs[i + 1] + "\n");
    }
  }

  @Test
  void collect_adminDown_carrierAndSpeedNotRead() throws Exception {
    // The kernel refuses carrier and speed of a device that is not up (EINVAL); here they would
    // read, so their absence shows they were not asked for.
    device("ifb0", "operstate", "down", "flags", "0x1002", "mtu", "1500", "carrier", "0", "speed", "10");
    device("eth0", "operstate", "up", "flags", "0x1003", "mtu", "1400", "carrier", "1", "speed", "1000");

    assertThat(byKey(collect(new NetClassCollector(sys)))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "node_network_up{device=\"ifb0\"}", 0.0,
        "node_network_mtu_bytes{device=\"ifb0\"}", 1500.0,
        "node_network_up{device=\"eth0\"}", 1.0,
        "node_network_mtu_bytes{device=\"eth0\"}", 1400.0,
        "node_network_carrier{device=\"eth0\"}", 1.0,
        "node_network_speed_bytes{device=\"eth0\"}", 125_000_000.0));
  }

  @Test
  void collect_laterRounds_readKeptFilesAgainAndFollowDevicesComingAndGoing() throws Exception {
    device("eth0", "operstate", "up", "mtu", "1500", "carrier", "1");
    device("eth1", "operstate", "up", "mtu", "1500");
    NetClassCollector c = new NetClassCollector(sys);
    assertThat(byKey(collect(c))).containsEntry("node_network_mtu_bytes{device=\"eth1\"}", 1500.0);

    device("eth0", "operstate", "down", "mtu", "9000", "carrier", "0"); // rewritten in place
    Files.walk(sys.resolve("class/net/eth1")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    device("veth2", "operstate", "up", "mtu", "1450");

    Map<String, Double> m = byKey(collect(c));
    assertThat(m).containsExactlyInAnyOrderEntriesOf(Map.of(
        "node_network_up{device=\"eth0\"}", 0.0,
        "node_network_mtu_bytes{device=\"eth0\"}", 9000.0,
        "node_network_carrier{device=\"eth0\"}", 0.0,
        "node_network_up{device=\"veth2\"}", 1.0,
        "node_network_mtu_bytes{device=\"veth2\"}", 1450.0));
    c.close();
    assertThat(byKey(collect(c))).isEqualTo(m); // still reads after close, keeps nothing open
  }
}
