package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Processes by state (node_exporter's opt-in {@code processes} collector names:
 * {@code node_processes_state{state}}, {@code node_processes_pids}, {@code
 * node_processes_threads}, {@code node_processes_max_processes}, {@code
 * node_processes_max_threads}) and, which node_exporter lacks, the top N processes by CPU and by
 * resident memory as a bounded set of series: {@code syslens_process_top_cpu_ratio{comm,pid}}
 * (cores used over the last round: 1 is one full core) and {@code
 * syslens_process_top_resident_bytes{comm,pid}}. At most N series each per round; the CPU list
 * starts with the second round (it needs a previous reading). One read of
 * {@code /proc/PID/stat} per process per round.
 */
final class ProcessesCollector implements Collector {

  /** USER_HZ: the unit of utime and stime in /proc/PID/stat on Linux. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final Path procRoot;
  private final long pageSize;
  private final int topN;
  private final LongSupplier nanoTime;
  private Map<Long, Long> lastTicks = new HashMap<>();
  private long lastNanos;

  ProcessesCollector(Path procRoot, long pageSize, int topN, LongSupplier nanoTime) {
    this.procRoot = requireNonNull(procRoot, "procRoot");
    if (topN < 0 || topN > 100) {
      throw new IllegalArgumentException("topN: " + topN + " (expected: 0-100)");
    }
    this.pageSize = pageSize;
    this.topN = topN;
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
  }

  @Override
  public String name() {
    return "processes";
  }

  private record Proc(long pid, String comm, long ticks, long rssBytes) {}

  @Override
  public void collect(MetricSink sink) throws Exception {
    long now = nanoTime.getAsLong();
    Map<String, Integer> states = new TreeMap<>();
    List<Proc> procs = new ArrayList<>(512);
    long threads = 0;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot,
        p -> isDigits(p.getFileName().toString()))) {
      for (Path dir : dirs) {
        String stat;
        try {
          stat = new String(Files.readAllBytes(dir.resolve("stat")), StandardCharsets.UTF_8);
        } catch (IOException e) {
          continue; // the process ended while we looked
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= stat.length()) {
          continue;
        }
        String[] f = stat.substring(close + 2).split(" ");
        if (f.length < 22) {
          continue;
        }
        states.merge(f[0], 1, Integer::sum);
        threads += Long.parseLong(f[17]);
        procs.add(new Proc(Long.parseLong(dir.getFileName().toString()), stat.substring(open + 1, close),
            Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[21]) * pageSize));
      }
    }
    for (String s : new String[] {"D", "I", "R", "S", "T", "Z"}) {
      states.putIfAbsent(s, 0);
    }
    states.forEach((s, n) -> sink.add("node_processes_state", n, "state", s));
    sink.add("node_processes_pids", procs.size());
    sink.add("node_processes_threads", threads);
    maxFrom("sys/kernel/pid_max", "node_processes_max_processes", sink);
    maxFrom("sys/kernel/threads-max", "node_processes_max_threads", sink);

    if (topN > 0) {
      procs.sort((a, b) -> Long.compare(b.rssBytes, a.rssBytes));
      for (int i = 0; i < Math.min(topN, procs.size()); i++) {
        Proc p = procs.get(i);
        sink.add("syslens_process_top_resident_bytes", p.rssBytes, "comm", p.comm, "pid", Long.toString(p.pid));
      }
      double seconds = (now - lastNanos) / 1e9;
      Map<Long, Long> ticks = new HashMap<>(procs.size() * 2);
      List<double[]> cpu = new ArrayList<>(procs.size());
      for (int i = 0; i < procs.size(); i++) {
        Proc p = procs.get(i);
        ticks.put(p.pid, p.ticks);
        Long before = lastTicks.get(p.pid);
        if (before != null && seconds > 0 && p.ticks >= before) {
          cpu.add(new double[] {(p.ticks - before) / TICKS_PER_SECOND / seconds, i});
        }
      }
      cpu.sort((a, b) -> Double.compare(b[0], a[0]));
      for (int i = 0; i < Math.min(topN, cpu.size()); i++) {
        Proc p = procs.get((int) cpu.get(i)[1]);
        sink.add("syslens_process_top_cpu_ratio", cpu.get(i)[0], "comm", p.comm, "pid", Long.toString(p.pid));
      }
      lastTicks = ticks;
      lastNanos = now;
    }
  }

  private void maxFrom(String file, String metric, MetricSink sink) {
    try {
      sink.add(metric, Double.parseDouble(ProcFiles.text(procRoot.resolve(file))));
    } catch (IOException | NumberFormatException e) {
      // not exposed here (e.g. a restricted container): leave the series out
    }
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
