package syslens.tsdb.head;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.management.ObjectName;
import syslens.storage.Appender;
import syslens.storage.Labels;

/**
 * Heap bytes per head series, measured in-process (not a test: run by hand, see docs/benchmarks.md
 * "heap bytes per head series"). A fleet of node_exporter-like hosts (200 series each, 3-6 labels,
 * the host label unique per host) appends {@code samples} samples per series at 10 s steps, one
 * commit per host and step as an agent's batch; then a full GC and the live heap over the baseline,
 * divided by the series, and a class histogram. Phase two models a restarted server: every
 * series' checkpoint state is restored into a new head (its chunks closed) and {@code after}
 * more samples are appended (each series opens a new chunk), as in the reconnect storm.
 *
 * <pre>
 * java -Xmx4g -cp tsdb/target/classes:tsdb/target/test-classes:&lt;storage-api jar&gt; \
 *   syslens.tsdb.head.HeadCensus [series=2000000] [samples=30] [after=3]
 * </pre>
 */
public final class HeadCensus {
  private static final String[] NAMES = {"node_cpu_seconds_total", "node_memory_MemAvailable_bytes",
      "node_memory_MemTotal_bytes", "node_load1", "node_load5", "node_load15", "node_network_receive_bytes_total",
      "node_network_transmit_bytes_total", "node_filesystem_avail_bytes", "node_filesystem_size_bytes",
      "node_disk_read_bytes_total", "node_disk_written_bytes_total", "node_disk_io_time_seconds_total",
      "node_context_switches_total", "node_intr_total", "node_procs_running", "node_vmstat_pgfault",
      "node_network_receive_packets_total", "node_filesystem_files_free", "node_timex_offset_seconds"};
  private static final String[] MODES = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
  private static final int PER_HOST = 200;
  private static final long STEP_MS = 10_000;

  private HeadCensus() {}

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int after = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int hosts = Math.max(1, series / PER_HOST);
    series = hosts * PER_HOST;
    long[] state = new long[series];
    long base = liveHeap();
    long start = 1_764_633_600_000L; // 2025-12-02 00:00 UTC, aligned to the 2 h chunk range
    Head head = Head.create(HeadOptions.builder().expectedSeries(series).build(), CommitLog.NONE);
    SplittableRandom rnd = new SplittableRandom(42);
    long t0 = System.nanoTime();
    fill(head, hosts, start, 0, samples, state, rnd);
    System.err.printf("filled %,d series x %d samples in %.1f s%n", series, samples, (System.nanoTime() - t0) / 1e9);
    report("steady (" + samples + " samples a series, open chunks)", liveHeap() - base, series);
    if (after <= 0) {
      return;
    }
    List<Checkpoint.SeriesState> states = new ArrayList<>(series);
    for (MemSeries s : head.series()) {
      s.labels().storageMemo(null); // a restarted server's labels point to no old series
      states.add(s.checkpointState());
    }
    head = null;
    Head restarted = Head.create(HeadOptions.builder().expectedSeries(series).build(), CommitLog.NONE);
    restarted.restoreAll(states);
    states = null;
    fill(restarted, hosts, start, samples, after, state, rnd);
    report("restarted (checkpoint restored, then " + after + " samples a series)", liveHeap() - base, series);
  }

  /** Appends rounds [from, from + n) for every host: one appender and commit per host and round. */
  private static void fill(Head head, int hosts, long start, int from, int n, long[] state, SplittableRandom rnd) {
    Labels[][] labels = new Labels[hosts][];
    for (int r = from; r < from + n; r++) {
      long t = start + r * STEP_MS + rnd.nextInt(50);
      for (int h = 0; h < hosts; h++) {
        if (labels[h] == null) {
          labels[h] = hostLabels(h);
        }
        Appender app = head.appender();
        for (int j = 0; j < PER_HOST; j++) {
          int i = h * PER_HOST + j;
          app.append(labels[h][j], t, next(j, state, i, rnd));
        }
        app.commit();
      }
    }
  }

  /** Counters grow, gauges walk in 4 KiB steps, a few are constant: the fleet's mix. */
  private static double next(int j, long[] state, int i, SplittableRandom rnd) {
    switch (j % 4) {
      case 0, 1 -> state[i] += rnd.nextInt(1, 5000);
      case 2 -> state[i] += (rnd.nextInt(-8, 9)) * 4096L;
      default -> state[i] = 16_000_000_000L;
    }
    return j % 8 == 1 ? state[i] / 100.0 : state[i];
  }

  private static Labels[] hostLabels(int h) {
    Labels[] out = new Labels[PER_HOST];
    String host = "host-" + h;
    for (int j = 0; j < PER_HOST; j++) {
      // 20 names x 10 series each: cpu tells them apart; 3 to 6 labels a series.
      int k = j / NAMES.length;
      Labels.Builder b = Labels.builder().set("__name__", NAMES[j % NAMES.length]).set("host", host)
          .set("job", "node");
      if (k >= 1) {
        b.set("cpu", Integer.toString(k));
      }
      if (k >= 4) {
        b.set("mode", MODES[k % MODES.length]);
      }
      if (k >= 7) {
        b.set("device", "sd" + (char) ('a' + k));
      }
      out[j] = b.build();
    }
    return out;
  }

  private static long liveHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void report(String phase, long bytes, int series) throws Exception {
    String histo = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    String[] lines = histo.split("\n");
    StringBuilder top = new StringBuilder();
    for (int i = 0; i < Math.min(lines.length, 17); i++) {
      top.append(lines[i]).append('\n');
    }
    System.out.printf("%s: %,d series, live heap %,d B over the baseline = %.1f B a series%n%s%n", phase, series,
        bytes, (double) bytes / series, top);
  }
}
