package syslens.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import syslens.query.PromFormat;
import syslens.storage.Appender;
import syslens.storage.Labels;

/**
 * One deterministic data set for the differential tests: counters with resets, gauges with
 * gaps, negative values and a NaN, a classic histogram ({@code le} buckets, {@code _sum},
 * {@code _count}), a summary, several label dimensions; 15 s scrapes over one hour from
 * {@link #T0}, some series with millisecond jitter. Written as OpenMetrics for promtool, and
 * appended to SysLens' storage.
 */
final class ParityData {
  /** 2023-11-14T22:13:20Z, a 2 h block boundary is not needed: promtool aligns blocks itself. */
  static final long T0 = 1_700_000_000_000L;
  static final long END = T0 + 3_600_000L;
  static final long STEP = 15_000L;

  record Sample(long t, double v) {}

  /** Series in the order written; samples in time order. */
  final Map<Labels, List<Sample>> series = new LinkedHashMap<>();

  ParityData() {
    Random r = new Random(42);
    String[] jobs = {"api", "web"};
    String[] instances = {"a:9100", "b:9100"};
    String[] codes = {"200", "500"};
    for (String job : jobs) {
      for (String inst : instances) {
        for (String code : codes) {
          Labels l = Labels.of("__name__", "http_requests_total", "code", code, "instance", inst, "job", job);
          double v = r.nextInt(100);
          for (long t = T0; t <= END; t += STEP) {
            v += code.equals("200") ? r.nextInt(20) : r.nextInt(3);
            if (job.equals("web") && inst.startsWith("a") && (t - T0) % 1_200_000L == 600_000L) {
              v = r.nextInt(5); // a counter reset every 20 minutes
            }
            add(l, t, v);
          }
        }
      }
      // A classic histogram per job; bucket counters are cumulative in le.
      double[] les = {0.1, 0.5, 1, Double.POSITIVE_INFINITY};
      double[] counts = new double[les.length];
      double sum = 0;
      for (long t = T0; t <= END; t += STEP) {
        int n = 5 + r.nextInt(10);
        for (int i = 0; i < n; i++) {
          double d = r.nextDouble() * 1.5;
          sum += d;
          for (int b = 0; b < les.length; b++) {
            if (d <= les[b]) {
              counts[b]++;
            }
          }
        }
        for (int b = 0; b < les.length; b++) {
          add(Labels.of("__name__", "request_duration_seconds_bucket", "job", job, "le",
              PromFormat.formatValue(les[b])), t, counts[b]);
        }
        add(Labels.of("__name__", "request_duration_seconds_sum", "job", job), t, sum);
        add(Labels.of("__name__", "request_duration_seconds_count", "job", job), t, counts[les.length - 1]);
      }
    }
    for (String inst : new String[] {"a:9100", "b:9100", "c:9100"}) {
      Labels load = Labels.of("__name__", "node_load1", "instance", inst, "job", "node");
      Labels mem = Labels.of("__name__", "node_memory_free_bytes", "instance", inst, "job", "node");
      long jitter = inst.startsWith("c") ? 123 : 0;
      for (long t = T0; t <= END; t += STEP) {
        if (inst.startsWith("b") && t > T0 + 1_200_000L && t < T0 + 1_800_000L) {
          continue; // a 10-minute gap: longer than the 5-minute lookback
        }
        add(load, t + jitter, Math.round((1 + Math.sin((t - T0) / 600_000.0) + r.nextDouble()) * 100) / 100.0);
        add(mem, t + jitter, 1e9 + r.nextInt(1_000_000) * 1024.0);
      }
    }
    for (String room : new String[] {"lab", "roof"}) {
      Labels l = Labels.of("__name__", "temperature_celsius", "room", room);
      for (long t = T0; t <= END; t += 60_000L) {
        double v = room.equals("roof") ? -5 + r.nextDouble() * 10 : 20 + r.nextGaussian();
        add(l, t, room.equals("lab") && t == T0 + 1_800_000L ? Double.NaN : v);
      }
    }
    for (String q : new String[] {"0.5", "0.9"}) {
      Labels l = Labels.of("__name__", "rpc_latency_seconds", "quantile", q);
      for (long t = T0; t <= END; t += STEP) {
        add(l, t, q.equals("0.5") ? 0.1 + r.nextDouble() / 10 : 0.5 + r.nextDouble());
      }
    }
    for (long t = T0; t <= END; t += STEP) {
      add(Labels.of("__name__", "rpc_latency_seconds_count"), t, (t - T0) / 1000.0);
    }
  }

  private void add(Labels l, long t, double v) {
    series.computeIfAbsent(l, k -> new ArrayList<>()).add(new Sample(t, v));
  }

  int sampleCount() {
    return series.values().stream().mapToInt(List::size).sum();
  }

  /** OpenMetrics text without metadata: every family "unknown", as promtool accepts. */
  String openMetrics() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<Labels, List<Sample>> e : series.entrySet()) {
      Labels l = e.getKey();
      StringBuilder name = new StringBuilder(l.get("__name__")).append('{');
      boolean first = true;
      for (int i = 0; i < l.size(); i++) {
        if (l.name(i).equals("__name__")) {
          continue;
        }
        name.append(first ? "" : ",").append(l.name(i)).append("=\"").append(l.value(i)).append('"');
        first = false;
      }
      name.append('}');
      for (Sample s : e.getValue()) {
        sb.append(name).append(' ').append(PromFormat.formatValue(s.v())).append(' ')
            .append(seconds(s.t())).append('\n');
      }
    }
    return sb.append("# EOF\n").toString();
  }

  void appendTo(Appender app) {
    for (Map.Entry<Labels, List<Sample>> e : series.entrySet()) {
      for (Sample s : e.getValue()) {
        app.append(e.getKey(), s.t(), s.v());
      }
    }
    app.commit();
  }

  /** Seconds with up to millisecond precision, as OpenMetrics timestamps. */
  private static String seconds(long ms) {
    return java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString();
  }
}
