package syslens.bench;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import syslens.storage.Labels;

/**
 * Simulated hosts: which series each one has and the value of every sample, computed on the fly
 * (deterministic for a seed, nothing held per sample) so every store is fed exactly the same data.
 *
 * <p>{@code node} hosts replay a {@link Recording} of a real node_exporter: counters advance by the
 * recorded increments (scaled to the interval and by a per-host factor), gauges replay the
 * recorded values from a per-host phase with a per-host factor, constants stay constant, and every
 * value keeps the recorded precision (decimals, or the power-of-two/ten step of byte counts), so
 * the kinds of series and their compressibility keep their real proportions. {@code tsbs-cpu-only}
 * hosts are TSBS's shape: 10 {@code cpu_usage_*} gauges with 10 host tags, full-precision values.
 */
final class Fleet {
  enum Shape { NODE, TSBS_CPU_ONLY }

  enum Kind { COUNTER, CONSTANT, GAUGE, TSBS, HISTOGRAM }

  /** Families that the query benchmarks read: kept first when a host has fewer series than recorded. */
  private static final List<String> CORE = List.of("node_cpu_seconds_total", "node_memory_MemAvailable_bytes",
      "node_memory_MemTotal_bytes", "node_load1", "node_load5", "node_network_receive_bytes_total",
      "node_network_transmit_bytes_total", "node_filesystem_avail_bytes", "node_filesystem_size_bytes",
      "node_disk_read_bytes_total", "node_disk_written_bytes_total");
  static final String[] TSBS_FIELDS = {"usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
      "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"};
  static final double[] HISTOGRAM_LE = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  /** One series every host has. */
  private record Template(List<String[]> labels, Kind kind, double[] rec, double[] prefix, double cycleSum,
      double quantum, int decimals, int bucket) {}

  private final Shape shape;
  private final List<Template> templates;
  private final int hosts;
  private final int rounds;
  private final long intervalMs;
  private final long startMs;
  private final long seed;
  private final double counterScale;

  private Fleet(Shape shape, List<Template> templates, int hosts, int rounds, long intervalMs, long startMs,
      long seed, double counterScale) {
    this.shape = shape;
    this.templates = templates;
    this.hosts = hosts;
    this.rounds = rounds;
    this.intervalMs = intervalMs;
    this.startMs = startMs;
    this.seed = seed;
    this.counterScale = counterScale;
  }

  static Fleet create(Shape shape, Recording rec, int hosts, int seriesPerHost, int rounds, long intervalMs,
      long startMs, boolean histogram, long seed) {
    requireNonNull(shape, "shape");
    if (hosts < 1) {
      throw new IllegalArgumentException("hosts: " + hosts + " (expected: >= 1)");
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds: " + rounds + " (expected: >= 1)");
    }
    if (intervalMs < 1) {
      throw new IllegalArgumentException("interval: " + intervalMs + " ms (expected: > 0)");
    }
    List<Template> ts = new ArrayList<>();
    double scale = 1;
    if (shape == Shape.TSBS_CPU_ONLY) {
      for (String f : TSBS_FIELDS) {
        ts.add(new Template(List.<String[]>of(new String[] {"__name__", "cpu_" + f}), Kind.TSBS, null, null, 0, 0, -1, -1));
      }
    } else {
      requireNonNull(rec, "rec");
      if (seriesPerHost < 1) {
        throw new IllegalArgumentException("series-per-host: " + seriesPerHost + " (expected: >= 1)");
      }
      ts.addAll(nodeTemplates(rec, seriesPerHost - (histogram ? HISTOGRAM_LE.length + 3 : 0)));
      scale = (double) intervalMs / rec.intervalMs();
    }
    if (histogram) {
      for (int b = 0; b <= HISTOGRAM_LE.length + 2; b++) {
        String name = b <= HISTOGRAM_LE.length ? "http_request_duration_seconds_bucket"
            : b == HISTOGRAM_LE.length + 1 ? "http_request_duration_seconds_count" : "http_request_duration_seconds_sum";
        List<String[]> l = new ArrayList<>();
        l.add(new String[] {"__name__", name});
        l.add(new String[] {"handler", "/api/v1/query"});
        if (b <= HISTOGRAM_LE.length) {
          l.add(new String[] {"le", b == HISTOGRAM_LE.length ? "+Inf" : fmt(HISTOGRAM_LE[b])});
        }
        ts.add(new Template(l, Kind.HISTOGRAM, null, null, 0, 0, -1, b));
      }
    }
    return new Fleet(shape, List.copyOf(ts), hosts, rounds, intervalMs, startMs, seed, scale);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static List<Template> nodeTemplates(Recording rec, int want) {
    List<Recording.Series> base = new ArrayList<>(rec.series());
    base.sort(Comparator.comparingInt(s -> {
      int i = CORE.indexOf(s.name());
      return i < 0 ? CORE.size() : i;
    }));
    Set<String> cpus = new HashSet<>();
    for (Recording.Series s : base) {
      for (String[] l : s.labels()) {
        if (l[0].equals("cpu")) {
          cpus.add(l[1]);
        }
      }
    }
    int ncpu = Math.max(1, cpus.size());
    List<Template> out = new ArrayList<>();
    // Prometheus adds `up` to every scraped target; dashboards count it (`count(up)`): the last series.
    int recorded = want > 1 ? want - 1 : 1;
    for (int i = 0; out.size() < recorded; i++) {
      Recording.Series s = base.get(i % base.size());
      int replica = i / base.size();
      out.add(template(s, replica == 0 ? s.labels() : cloneLabels(s.labels(), replica, ncpu)));
    }
    if (want > 1) {
      out.add(new Template(List.<String[]>of(new String[] {"__name__", "up"}), Kind.CONSTANT, new double[] {1}, null,
          0, 1, 0, -1));
    }
    return out;
  }

  /** Replica k of a series: another CPU, device or an extra label, as a bigger host would have. */
  private static List<String[]> cloneLabels(List<String[]> labels, int k, int ncpu) {
    List<String[]> out = new ArrayList<>();
    boolean changed = false;
    for (String[] l : labels) {
      if (!changed && l[0].equals("cpu") && l[1].chars().allMatch(Character::isDigit)) {
        out.add(new String[] {"cpu", Integer.toString(Integer.parseInt(l[1]) + k * ncpu)});
        changed = true;
      } else if (!changed && l[0].equals("device")) {
        out.add(new String[] {"device", l[1] + "-" + k});
        changed = true;
      } else {
        out.add(l);
      }
    }
    if (!changed) {
      out.add(new String[] {"replica", Integer.toString(k)});
    }
    return out;
  }

  private static Template template(Recording.Series s, List<String[]> labels) {
    double[] v = s.values();
    Kind kind = s.isConstant() ? Kind.CONSTANT : s.isCounter() ? Kind.COUNTER : Kind.GAUGE;
    double[] prefix = null;
    double cycle = 0;
    if (kind == Kind.COUNTER) {
      prefix = new double[v.length];
      for (int i = 1; i < v.length; i++) {
        prefix[i] = prefix[i - 1] + (v[i] - v[i - 1]);
      }
      cycle = prefix[v.length - 1];
    }
    return new Template(labels, kind, v, prefix, cycle, quantum(v, s.decimals()), s.decimals(), -1);
  }

  /** The step all recorded values sit on: 10^-decimals, or the largest power of 2 or 10 dividing integers. */
  private static double quantum(double[] v, int decimals) {
    if (decimals > 0) {
      return Math.pow(10, -decimals);
    }
    double[] candidates = {1 << 20, 1 << 16, 1 << 12, 1 << 10, 1000, 100, 10};
    for (double q : candidates) {
      boolean all = true;
      boolean nonZero = false;
      for (double x : v) {
        if (x % q != 0) {
          all = false;
          break;
        }
        nonZero |= x != 0;
      }
      if (all && nonZero) {
        return q;
      }
    }
    return 1;
  }

  Shape shape() {
    return shape;
  }

  int hosts() {
    return hosts;
  }

  int seriesPerHost() {
    return templates.size();
  }

  int rounds() {
    return rounds;
  }

  long intervalMs() {
    return intervalMs;
  }

  long startMs() {
    return startMs;
  }

  long endMs() {
    return timestamp(rounds - 1);
  }

  long totalSamples() {
    return (long) hosts * templates.size() * rounds;
  }

  long timestamp(int round) {
    return startMs + round * intervalMs;
  }

  static String hostName(int h) {
    return String.format("host-%05d", h);
  }

  Kind kind(int s) {
    return templates.get(s).kind();
  }

  /** The series' own labels, metric name first, without the host's {@code instance} and {@code node}. */
  List<String[]> seriesLabels(int s) {
    return templates.get(s).labels();
  }

  /** Host tags added to every series of host h: TSBS's ten tags for the TSBS shape, none for node hosts. */
  List<String[]> hostTags(int h) {
    if (shape != Shape.TSBS_CPU_ONLY) {
      return List.of();
    }
    String[] regions = {"us-east-1", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1",
        "ap-southeast-2", "ap-northeast-1", "sa-east-1"};
    int r = (int) (u(h, 0, 1) * regions.length);
    return List.of(new String[] {"hostname", hostName(h)}, new String[] {"region", regions[r]},
        new String[] {"datacenter", regions[r] + (char) ('a' + (int) (u(h, 0, 2) * 3))},
        new String[] {"rack", Integer.toString((int) (u(h, 0, 3) * 100))},
        new String[] {"os", "Ubuntu" + (u(h, 0, 4) < 0.5 ? "16.04LTS" : "15.10")},
        new String[] {"arch", u(h, 0, 5) < 0.5 ? "x64" : "x86"},
        new String[] {"team", new String[] {"SF", "NYC", "LON", "CHI"}[(int) (u(h, 0, 6) * 4)]},
        new String[] {"service", Integer.toString((int) (u(h, 0, 7) * 20))},
        new String[] {"service_version", Integer.toString((int) (u(h, 0, 8) * 2))},
        new String[] {"service_environment", new String[] {"production", "staging", "test"}[(int) (u(h, 0, 9) * 3)]});
  }

  /** Every label of series s of host h as stored: its own, the host tags, {@code instance} and {@code node}. */
  Labels labels(int h, int s) {
    Labels.Builder b = Labels.builder();
    for (String[] l : seriesLabels(s)) {
      b.set(l[0], l[1]);
    }
    for (String[] l : hostTags(h)) {
      b.set(l[0], l[1]);
    }
    String host = hostName(h);
    return b.set("instance", host).set("node", host).build();
  }

  /** The value of series s of host h at round r. */
  double value(int h, int s, int r) {
    Template t = templates.get(s);
    switch (t.kind()) {
      case TSBS -> {
        double phase = u(h, s, 11) * 2 * Math.PI;
        double v = 50 + 35 * Math.sin(phase + r * (0.001 + 0.01 * u(h, s, 12))) + 10 * (u(h, s, r + 1000) - 0.5);
        return Math.max(0, Math.min(100, v));
      }
      case HISTOGRAM -> {
        double perRound = 20 + 80 * u(h, 0, 21);
        double x = r + 10 * Math.sin(r / 30.0) + 100 * u(h, 0, 22);
        double n = Math.floor(perRound * x);
        int b = t.bucket();
        if (b == HISTOGRAM_LE.length + 2) {
          return Math.round(n * 0.12 * 1000) / 1000.0; // _sum: ~120 ms average
        }
        if (b >= HISTOGRAM_LE.length) {
          return n; // +Inf and _count
        }
        double le = HISTOGRAM_LE[b];
        return Math.floor(n * (1 - Math.exp(-le / 0.12)));
      }
      case CONSTANT -> {
        double v = t.rec()[0];
        return Math.abs(v) >= 1000 ? round(t, v * (0.8 + 0.4 * u(h, s, 3))) : v;
      }
      case GAUGE -> {
        int n = t.rec().length;
        int k = (int) ((r + (long) (u(h, -1, 4) * n)) % n);
        return round(t, t.rec()[k] * (0.8 + 0.4 * u(h, s, 5)));
      }
      default -> {
        int n = t.rec().length - 1;
        long off = (long) (u(h, -1, 4) * n);
        double factor = (0.5 + u(h, s, 6)) * counterScale;
        double base = t.rec()[0] * (0.5 + u(h, s, 7));
        return round(t, base + factor * (cumulative(t, r + off) - cumulative(t, off)));
      }
    }
  }

  private static double cumulative(Template t, long k) {
    int n = t.rec().length - 1;
    return (k / n) * t.cycleSum() + t.prefix()[(int) (k % n)];
  }

  private static double round(Template t, double v) {
    if (t.decimals() > 0) {
      double p = Math.pow(10, t.decimals());
      return Math.round(v * p) / p;
    }
    return Math.round(v / t.quantum()) * t.quantum();
  }

  /** A uniform number in [0, 1) for (host, series, salt), fixed by the seed (SplitMix64). */
  private double u(int h, int s, long salt) {
    long z = seed + 0x9E3779B97F4A7C15L * (h + 1) + 0xBF58476D1CE4E5B9L * (s + 2) + 0x94D049BB133111EBL * salt;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }

  /** Counts of series per kind, for the report. */
  String describe() {
    int[] c = new int[Kind.values().length];
    for (Template t : templates) {
      c[t.kind().ordinal()]++;
    }
    StringBuilder sb = new StringBuilder();
    for (Kind k : Kind.values()) {
      if (c[k.ordinal()] > 0) {
        sb.append(sb.isEmpty() ? "" : ", ").append(c[k.ordinal()]).append(' ').append(k.name().toLowerCase());
      }
    }
    return sb.toString();
  }
}
