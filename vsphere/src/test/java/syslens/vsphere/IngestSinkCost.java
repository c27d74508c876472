package syslens.vsphere;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import syslens.storage.Labels;

/**
 * CPU and allocation of the calling thread writing one steady cycle (5,100 entities x 22
 * counters, 1 sample each, batches of 256 entities) through {@link IngestSink}, per cycle:
 * {@code plain} (a fresh ingest session per batch, as before) or {@code keyed} (one session per
 * stream). Optional: entities and counters per entity (cycle 0 creates every series: the cold
 * cycle's cost). docs/benchmarks.md gives the command.
 */
final class IngestSinkCost {
  private IngestSinkCost() {}

  public static void main(String[] a) throws Exception {
    boolean keyed = a[0].equals("keyed");
    int entities = a.length > 1 ? Integer.parseInt(a[1]) : 5100;
    int counters = a.length > 2 ? Integer.parseInt(a[2]) : 22;
    int batch = 256;
    int cycles = a.length > 3 ? Integer.parseInt(a[3]) : 8;
    java.nio.file.Path dir = Files.createTempDirectory("sinkcost");
    var tsdb = syslens.tsdb.Tsdb.builder(dir).build();
    IngestSink sink = IngestSink.create(syslens.ingest.IngestPipeline.builder(tsdb).build());
    Labels[][] labels = new Labels[entities][counters];
    String[] node = new String[entities];
    for (int e = 0; e < entities; e++) {
      node[e] = "vm:bench:uuid-" + e;
      for (int c = 0; c < counters; c++) {
        labels[e][c] = Labels.of("__name__", "vsphere_vm_metric_" + c, "vcenter", "bench", "datacenter", "DC0",
            "cluster", "DC0_C" + (e / 500), "esxhost", "DC0_C" + (e / 500) + "_H" + (e % 10), "vm", "DC0_C0_RP0_VM" + e);
      }
    }
    var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long t0 = System.currentTimeMillis() - 3_600_000;
    for (int cycle = 0; cycle < cycles; cycle++) {
      long cpu0 = bean.getCurrentThreadCpuTime();
      long alloc0 = bean.getCurrentThreadAllocatedBytes();
      for (int b = 0; b * batch < entities; b++) {
        List<SampleSink.Sample> out = new ArrayList<>();
        for (int e = b * batch; e < Math.min(entities, (b + 1) * batch); e++) {
          for (int c = 0; c < counters; c++) {
            out.add(new SampleSink.Sample(node[e], labels[e][c], t0 + cycle * 20_000L, e + c));
          }
        }
        if (keyed) {
          sink.write(Integer.valueOf(b), out);
        } else {
          sink.write(out);
        }
      }
      System.out.printf("%s cycle %d: %.0f ms CPU, %.0f MB allocated%n", a[0], cycle,
          (bean.getCurrentThreadCpuTime() - cpu0) / 1e6, (bean.getCurrentThreadAllocatedBytes() - alloc0) / 1e6);
    }
    tsdb.close();
    VcSim.deleteTree(dir);
  }
}
