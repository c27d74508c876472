package syslens.report;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.report.Fetch.NodeSeries;
import syslens.report.Report.Line;

/**
 * The series of one report run, each queried once however many sections use it. A figure
 * combines its sources per node: vSphere VMs, then ESXi hosts, then agent nodes (a node is one
 * of them); sums of two vSphere metrics are added point by point here rather than in PromQL.
 */
final class Data {
  private final Fetch fetch;
  private final Map<String, Map<String, NodeSeries>> cache = new HashMap<>();

  Data(Fetch fetch) {
    this.fetch = fetch;
  }

  Map<String, NodeSeries> get(String expr) {
    return cache.computeIfAbsent(expr, fetch::range);
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

  /** Each series reduced to one point (at its last timestamp) holding {@code f} of its values. */
  static Map<String, NodeSeries> reduce(Map<String, NodeSeries> m, java.util.function.ToDoubleFunction<double[]> f) {
    Map<String, NodeSeries> out = new LinkedHashMap<>();
    m.forEach((k, s) -> {
      if (s.t().length > 0) {
        out.put(k, new NodeSeries(s.entity(), s.group(), new long[] {s.t()[s.t().length - 1]},
            new double[] {f.applyAsDouble(s.v())}));
      }
    });
    return out;
  }

  Map<String, NodeSeries> cpu() {
    return cache("cpu", () -> first(vsphere("avg_over_time", "cpu_usage_ratio"), get(Queries.AGENT_CPU)));
  }

  /** The largest sample as one point (vSphere only; agents' peak is their busiest step average). */
  Map<String, NodeSeries> cpuPeak() {
    return cache("cpuPeak", () -> reduce(vsphere("max_over_time", "cpu_usage_ratio"), Stats::max));
  }

  Map<String, NodeSeries> memory() {
    return cache("memory", () -> first(vsphere("avg_over_time", "memory_usage_ratio"), get(Queries.AGENT_MEMORY_USED)));
  }

  Map<String, NodeSeries> memoryPeak() {
    return cache("memoryPeak", () -> reduce(vsphere("max_over_time", "memory_usage_ratio"), Stats::max));
  }

  Map<String, NodeSeries> disk() {
    return cache("disk", () -> first(vsphereSum("disk_read_bytes_per_second", "disk_write_bytes_per_second"),
        get(Queries.AGENT_DISK)));
  }

  Map<String, NodeSeries> network() {
    return cache("network", () -> first(vsphereSum("net_received_bytes_per_second", "net_transmitted_bytes_per_second"),
        get(Queries.AGENT_NETWORK)));
  }

  /** Mean CPU ready over the period, as one point. */
  Map<String, NodeSeries> cpuReady() {
    return cache("ready", () -> reduce(fetch.range(Queries.vsphere("avg_over_time", Queries.VM, "cpu_ready_ratio")),
        Stats::mean));
  }

  /** Mean swapped memory over the period, as one point. */
  Map<String, NodeSeries> swapped() {
    return cache("swapped", () -> reduce(fetch.range(Queries.vsphere("avg_over_time", Queries.VM,
        "memory_swapped_bytes")), Stats::mean));
  }

  private Map<String, NodeSeries> cache(String key, java.util.function.Supplier<Map<String, NodeSeries>> f) {
    Map<String, NodeSeries> m = cache.get("#" + key);
    if (m == null) {
      m = f.get();
      cache.put("#" + key, m);
    }
    return m;
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

  /** The mean over series of their points at each timestamp: a fleet or group line. */
  static Line meanLine(String name, List<NodeSeries> series) {
    TreeMap<Long, double[]> acc = new TreeMap<>();
    for (NodeSeries s : series) {
      for (int i = 0; i < s.t().length; i++) {
        double[] a = acc.computeIfAbsent(s.t()[i], k -> new double[2]);
        a[0] += s.v()[i];
        a[1]++;
      }
    }
    long[] t = new long[acc.size()];
    double[] v = new double[acc.size()];
    int i = 0;
    for (var e : acc.entrySet()) {
      t[i] = e.getKey();
      v[i++] = e.getValue()[0] / e.getValue()[1];
    }
    return new Line(name, t, v, false);
  }
}
