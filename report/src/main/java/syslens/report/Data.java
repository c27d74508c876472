package syslens.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import syslens.report.Fetch.NodeSeries;
import syslens.report.Report.Line;

/**
 * The series of one report run, each queried once however many sections use it. A figure
 * combines its sources per node: vSphere VMs, then ESXi hosts, then agent nodes (a node is one
 * of them); sums of two vSphere metrics are added point by point here rather than in PromQL.
 * {@link #prefetch} starts the figures a report needs on {@code executor} (the report's query
 * threads) so they are computed side by side; a figure's own computation calls {@link Fetch}
 * directly, never another figure, so no pool thread waits for a queued one.
 */
final class Data {
  private final Fetch fetch;
  private final Executor executor;
  private final Map<String, CompletableFuture<Map<String, NodeSeries>>> cache = new ConcurrentHashMap<>();

  Data(Fetch fetch, Executor executor) {
    this.fetch = fetch;
    this.executor = executor;
  }

  Data(Fetch fetch) {
    this(fetch, Runnable::run);
  }

  Map<String, NodeSeries> get(String expr) {
    return cache(expr, () -> fetch.range(expr));
  }

  /** Starts computing the figures {@code kinds} read, without waiting for them. */
  void prefetch(java.util.Collection<Kind> kinds) {
    for (Kind k : kinds) {
      switch (k) {
        case UTILIZATION -> {
          start("cpu", this::cpuNow);
          start("memory", this::memoryNow);
          start("disk", this::diskNow);
          start("network", this::networkNow);
          start("cpuPeak", () -> vsphereWhole("max_over_time", "cpu_usage_ratio"));
          start("memoryPeak", () -> vsphereWhole("max_over_time", "memory_usage_ratio"));
        }
        case RIGHTSIZING -> {
          start("cpu", this::cpuNow);
          start("memory", this::memoryNow);
          start("ready", this::readyNow);
          start("swapped", this::swappedNow);
          start(Queries.AGENT_VCPUS, () -> fetch.range(Queries.AGENT_VCPUS));
          start(Queries.AGENT_MEMORY, () -> fetch.range(Queries.AGENT_MEMORY));
        }
        case AVAILABILITY -> start(Queries.UP, () -> fetch.range(Queries.UP));
        case CAPACITY -> {
          start(Queries.DISK_USED, () -> fetch.range(Queries.DISK_USED));
          start("memory", this::memoryNow);
          start(Queries.DATASTORE_USED, () -> fetch.range(Queries.DATASTORE_USED));
        }
        case ALERTS -> { }
      }
    }
  }

  private void start(String key, Supplier<Map<String, NodeSeries>> f) {
    cache.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(f, executor));
  }

  long step() {
    return fetch.step();
  }

  // Parts are fetched uncached: only the combined series are kept (a month of 5,000 VMs is ~60 MB a figure).
  private Map<String, NodeSeries> vsphere(String fn, String suffix) {
    return first(fetch.range(Queries.vsphere(fn, Queries.VM, suffix)), fetch.range(Queries.vsphere(fn, Queries.HOST, suffix)));
  }

  private Map<String, NodeSeries> vsphereSum(String a, String b) {
    String f = "avg_over_time";
    return first(sum(fetch.range(Queries.vsphere(f, Queries.VM, a)), fetch.range(Queries.vsphere(f, Queries.VM, b))),
        sum(fetch.range(Queries.vsphere(f, Queries.HOST, a)), fetch.range(Queries.vsphere(f, Queries.HOST, b))));
  }

  Map<String, NodeSeries> cpu() {
    return cache("cpu", this::cpuNow);
  }

  private Map<String, NodeSeries> cpuNow() {
    return first(vsphere("avg_over_time", "cpu_usage_ratio"), fetch.range(Queries.AGENT_CPU));
  }

  /** The period's figure {@code fn} of a vSphere metric, one point per node (one instant query per source). */
  private Map<String, NodeSeries> vsphereWhole(String fn, String suffix) {
    return first(fetch.whole(Queries.vsphere(fn, Queries.VM, suffix)), fetch.whole(Queries.vsphere(fn, Queries.HOST, suffix)));
  }

  /** The largest sample as one point (vSphere only; agents' peak is their busiest step average). */
  Map<String, NodeSeries> cpuPeak() {
    return cache("cpuPeak", () -> vsphereWhole("max_over_time", "cpu_usage_ratio"));
  }

  Map<String, NodeSeries> memory() {
    return cache("memory", this::memoryNow);
  }

  private Map<String, NodeSeries> memoryNow() {
    return first(vsphere("avg_over_time", "memory_usage_ratio"), fetch.range(Queries.AGENT_MEMORY_USED));
  }

  Map<String, NodeSeries> memoryPeak() {
    return cache("memoryPeak", () -> vsphereWhole("max_over_time", "memory_usage_ratio"));
  }

  Map<String, NodeSeries> disk() {
    return cache("disk", this::diskNow);
  }

  private Map<String, NodeSeries> diskNow() {
    return first(vsphereSum("disk_read_bytes_per_second", "disk_write_bytes_per_second"), fetch.range(Queries.AGENT_DISK));
  }

  Map<String, NodeSeries> network() {
    return cache("network", this::networkNow);
  }

  private Map<String, NodeSeries> networkNow() {
    return first(vsphereSum("net_received_bytes_per_second", "net_transmitted_bytes_per_second"),
        fetch.range(Queries.AGENT_NETWORK));
  }

  /** Mean CPU ready over the period (of its samples), as one point. */
  Map<String, NodeSeries> cpuReady() {
    return cache("ready", this::readyNow);
  }

  private Map<String, NodeSeries> readyNow() {
    return fetch.whole(Queries.vsphere("avg_over_time", Queries.VM, "cpu_ready_ratio"));
  }

  /** Mean swapped memory over the period (of its samples), as one point. */
  Map<String, NodeSeries> swapped() {
    return cache("swapped", this::swappedNow);
  }

  private Map<String, NodeSeries> swappedNow() {
    return fetch.whole(Queries.vsphere("avg_over_time", Queries.VM, "memory_swapped_bytes"));
  }

  /** The figure {@code key}: computed once (here, unless {@link #prefetch} started it), errors rethrown as they were. */
  private Map<String, NodeSeries> cache(String key, Supplier<Map<String, NodeSeries>> f) {
    CompletableFuture<Map<String, NodeSeries>> mine = new CompletableFuture<>();
    CompletableFuture<Map<String, NodeSeries>> c = cache.putIfAbsent(key, mine);
    if (c == null) {
      try {
        mine.complete(f.get());
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
        throw e;
      }
      return mine.join();
    }
    try {
      return c.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r; // a QueryException (limits, deadline) keeps its kind
      }
      throw e;
    }
  }

  /** The union, a node's series taken from the first map that has it. */
  @SafeVarargs
  static Map<String, NodeSeries> first(Map<String, NodeSeries>... maps) {
    int nonEmpty = 0;
    Map<String, NodeSeries> only = Map.of();
    for (Map<String, NodeSeries> m : maps) {
      if (!m.isEmpty()) {
        nonEmpty++;
        only = m;
      }
    }
    if (nonEmpty <= 1) {
      return only;
    }
    Map<String, NodeSeries> out = new TreeMap<>();
    for (Map<String, NodeSeries> m : maps) {
      m.forEach(out::putIfAbsent);
    }
    return out;
  }

  /** Point-by-point sums of the nodes both maps have, at the timestamps both have. */
  static Map<String, NodeSeries> sum(Map<String, NodeSeries> a, Map<String, NodeSeries> b) {
    Map<String, NodeSeries> out = new LinkedHashMap<>();
    for (NodeSeries x : a.values()) {
      NodeSeries y = b.get(x.entity());
      if (y == null) {
        continue;
      }
      long[] t = new long[Math.min(x.t().length, y.t().length)];
      double[] v = new double[t.length];
      int i = 0;
      int j = 0;
      int n = 0;
      while (i < x.t().length && j < y.t().length) {
        if (x.t()[i] == y.t()[j]) {
          t[n] = x.t()[i];
          v[n++] = x.v()[i++] + y.v()[j++];
        } else if (x.t()[i] < y.t()[j]) {
          i++;
        } else {
          j++;
        }
      }
      out.put(x.entity(), new NodeSeries(x.entity(), x.group(), java.util.Arrays.copyOf(t, n), java.util.Arrays.copyOf(v, n)));
    }
    return out;
  }

  /**
   * The mean over series of their points at each timestamp: a fleet or group line. The series
   * of a report share one step grid, so the timestamps are merged once (two-pointer, no boxing)
   * and each series is added along them.
   */
  static Line meanLine(String name, List<NodeSeries> series) {
    long[] grid = new long[0];
    for (NodeSeries s : series) {
      if (!java.util.Arrays.equals(s.t(), grid)) {
        grid = union(grid, s.t());
      }
    }
    double[] sum = new double[grid.length];
    int[] n = new int[grid.length];
    for (NodeSeries s : series) {
      long[] t = s.t();
      for (int i = 0, j = 0; i < t.length; i++) {
        while (grid[j] < t[i]) {
          j++;
        }
        sum[j] += s.v()[i];
        n[j]++;
      }
    }
    double[] v = new double[grid.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = sum[i] / n[i];
    }
    return new Line(name, grid, v, false);
  }

  /** The sorted union of two sorted timestamp arrays. */
  static long[] union(long[] a, long[] b) {
    long[] out = new long[a.length + b.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length || j < b.length) {
      long x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
      if (i < a.length && a[i] == x) {
        i++;
      }
      if (j < b.length && b[j] == x) {
        j++;
      }
      out[n++] = x;
    }
    return java.util.Arrays.copyOf(out, n);
  }
}
