package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All Linux collectors, reading {@code /proc} and {@code /sys} under configurable roots (so tests
 * can point them at fixture trees). A failing collector does not stop the others: it reports
 * {@code node_scrape_collector_success{collector} 0}, as node_exporter does, and is logged once
 * per distinct error.
 */
public final class LinuxCollectors implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LinuxCollectors.class);

  private final List<Collector> collectors;
  private final Map<String, String> lastError = new HashMap<>();
  /** Collectors the server switched off (by name). */
  private volatile java.util.Set<String> disabled = java.util.Set.of();

  private LinuxCollectors(List<Collector> collectors) {
    this.collectors = List.copyOf(collectors);
  }

  /** Runs these collectors with the same failure handling (used for the OSHI collectors too). */
  static LinuxCollectors of(List<Collector> collectors) {
    return new LinuxCollectors(collectors);
  }

  /** Every collector, over the given roots; filesystem sizes by native statvfs when possible. */
  public static LinuxCollectors create(Path procRoot, Path sysRoot, Clock clock) {
    return create(procRoot, sysRoot, clock, CollectConfig.defaults());
  }

  /** The collectors {@code config} enables, over the given roots. */
  public static LinuxCollectors create(Path procRoot, Path sysRoot, Clock clock, CollectConfig config) {
    FsStats.Reader fs = NativeStatvfs.load().orElse(FilesystemCollector::readWithFileStore);
    return create(procRoot, sysRoot, clock, fs, config);
  }

  static LinuxCollectors create(Path procRoot, Path sysRoot, Clock clock, FsStats.Reader fs) {
    return create(procRoot, sysRoot, clock, fs, CollectConfig.defaults());
  }

  static LinuxCollectors create(Path procRoot, Path sysRoot, Clock clock, FsStats.Reader fs,
      CollectConfig config) {
    requireNonNull(procRoot, "procRoot");
    requireNonNull(sysRoot, "sysRoot");
    requireNonNull(clock, "clock");
    requireNonNull(config, "config");
    long pageSize = PageSize.of(procRoot);
    // os-release lives beside proc/: "/" for /proc, the fixture root for a fixture tree.
    Path rootFs = procRoot.toAbsolutePath().getParent();
    List<Collector> all = List.of(
        new CpuCollector(procRoot),
        new StatCollector(procRoot),
        new MemInfoCollector(procRoot),
        new LoadAvgCollector(procRoot),
        new FilesystemCollector(procRoot, fs, config.mountTimeout()),
        new DiskStatsCollector(procRoot),
        new NetDevCollector(procRoot),
        new NetClassCollector(sysRoot),
        new NetStatCollector(procRoot),
        new SockStatCollector(procRoot, pageSize),
        new SoftNetCollector(procRoot),
        new FileFdCollector(procRoot),
        new PressureCollector(procRoot),
        new VmStatCollector(procRoot),
        new EntropyCollector(procRoot),
        new OsReleaseCollector(rootFs == null ? Path.of("/") : rootFs),
        new HwmonCollector(sysRoot),
        new ProcessesCollector(procRoot, pageSize, config.topProcesses(), System::nanoTime),
        new UnameCollector(procRoot, System.getProperty("os.arch", "unknown")),
        new TimeCollector(clock));
    List<Collector> enabled = new ArrayList<>();
    for (Collector c : all) {
      if (config.enabled(c.name())) {
        enabled.add(c);
      }
    }
    return new LinuxCollectors(enabled);
  }

  /** Names of every Linux collector, for validating configuration. */
  public static List<String> names() {
    return NAMES;
  }

  static final List<String> NAMES = List.of("cpu", "stat", "meminfo", "loadavg", "filesystem", "diskstats",
      "netdev", "netclass", "netstat", "sockstat", "softnet", "filefd", "pressure", "vmstat", "entropy", "os",
      "hwmon", "processes", "uname", "time");

  /** Collectors to skip from the next round on (names as in the {@code collector} label); any thread. */
  public void disable(java.util.Set<String> names) {
    disabled = java.util.Set.copyOf(names);
  }

  /** Closes the collectors' files kept open between rounds. */
  @Override
  public void close() {
    for (Collector c : collectors) {
      c.close();
    }
  }

  /** Reads everything once. Not thread-safe: call from one thread (the collection thread). */
  public List<Metric> collect() {
    List<Metric> out = new ArrayList<>(512);
    java.util.Set<String> off = disabled;
    for (Collector c : collectors) {
      if (off.contains(c.name())) {
        continue;
      }
      int mark = out.size();
      long start = System.nanoTime();
      boolean ok;
      try {
        c.collect((name, value, labels) -> out.add(Metric.of(name, value, labels)));
        ok = true;
        lastError.remove(c.name());
      } catch (Exception e) {
        // Drop partial output so a half-read file never looks like a reset counter.
        out.subList(mark, out.size()).clear();
        ok = false;
        String msg = String.valueOf(e);
        if (!msg.equals(lastError.put(c.name(), msg))) {
          log.warn("collector {} failed: {}", c.name(), msg);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      out.add(Metric.of("node_scrape_collector_duration_seconds", seconds, "collector", c.name()));
      out.add(Metric.of("node_scrape_collector_success", ok ? 1 : 0, "collector", c.name()));
    }
    return out;
  }
}
