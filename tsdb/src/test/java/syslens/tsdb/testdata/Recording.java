package syslens.tsdb.testdata;

import java.io.BufferedReader;
import java.math.BigDecimal;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * A recording of a real node_exporter 1.5 on this machine (resource
 * {@code recordings/node_exporter-1s.txt.gz}): blocks of {@code T <unix ms>} then
 * {@code <series> <value>} lines, one block per scrape (about one per second), plus the
 * {@code # TYPE} lines. Also derives synthetic 10 s host data that replays it.
 */
public final class Recording {
  public static final String RESOURCE = "/recordings/node_exporter-1s.txt.gz";

  /** One recorded series. */
  public record Series(String name, boolean counter, long[] ts, double[] vs) {}

  private final List<Series> series;

  private Recording(List<Series> series) {
    this.series = series;
  }

  public List<Series> series() {
    return series;
  }

  public static Recording load() throws IOException {
    try (InputStream in = Recording.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("missing test resource " + RESOURCE);
      }
      return parse(new GZIPInputStream(in));
    }
  }

  static Recording parse(InputStream in) throws IOException {
    Map<String, String> types = new HashMap<>();
    Map<String, List<long[]>> tsBy = new LinkedHashMap<>();
    Map<String, List<Double>> vsBy = new LinkedHashMap<>();
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    long t = 0;
    String line;
    while ((line = r.readLine()) != null) {
      if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        types.put(p[2], p[3]);
      } else if (line.startsWith("T ")) {
        t = Long.parseLong(line.substring(2));
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        int sp = line.lastIndexOf(' ');
        String key = line.substring(0, sp);
        double v = Double.parseDouble(line.substring(sp + 1));
        tsBy.computeIfAbsent(key, k -> new ArrayList<>()).add(new long[] {t});
        vsBy.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
      }
    }
    List<Series> out = new ArrayList<>();
    for (var e : tsBy.entrySet()) {
      String key = e.getKey();
      int brace = key.indexOf('{');
      String name = brace < 0 ? key : key.substring(0, brace);
      String type = types.getOrDefault(name, "untyped");
      List<Double> vl = vsBy.get(key);
      long[] ts = new long[vl.size()];
      double[] vs = new double[vl.size()];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = e.getValue().get(i)[0];
        vs[i] = vl.get(i);
      }
      out.add(new Series(key, type.equals("counter"), ts, vs));
    }
    return new Recording(out);
  }

  /**
   * Synthetic host data that replays the recording on a 10 s grid for {@code samples} samples:
   * counters keep increasing by the recorded 10-second increments (cycled), gauges cycle through
   * the recorded values. {@code jitterMs} > 0 moves each scrape by up to +-jitter ms (one
   * timestamp per scrape shared by every series of the host, as the agent does).
   */
  public List<Series> synthetic10s(int samples, int jitterMs, long seed) {
    Random rnd = new Random(seed);
    long t0 = 1_764_000_000_000L;
    long[] ts = new long[samples];
    for (int i = 0; i < samples; i++) {
      ts[i] = t0 + 10_000L * i + (jitterMs == 0 ? 0 : rnd.nextInt(2 * jitterMs + 1) - jitterMs);
    }
    List<Series> out = new ArrayList<>();
    for (Series s : series) {
      int n = s.vs().length;
      if (n < 11) {
        continue;
      }
      double[] vs = new double[samples];
      if (s.counter()) {
        // Decimal arithmetic, as node_exporter's values are exact decimals read from /proc.
        BigDecimal v = dec(s.vs()[0]);
        int steps = (n - 1) / 10;
        for (int i = 0; i < samples; i++) {
          vs[i] = v.doubleValue();
          int k = (i % steps) * 10;
          BigDecimal inc = dec(s.vs()[k + 10]).subtract(dec(s.vs()[k]));
          v = inc.signum() >= 0 ? v.add(inc) : v;
        }
      } else {
        for (int i = 0; i < samples; i++) {
          int cyc = (i * 10) % (2 * (n - 1));
          vs[i] = s.vs()[cyc < n ? cyc : 2 * (n - 1) - cyc];
        }
      }
      out.add(new Series(s.name(), s.counter(), ts, vs));
    }
    return out;
  }

  /** Parses {@code name{a="b",c="d"}} (Prometheus text format) into labels. */
  public static syslens.storage.Labels labels(String key) {
    syslens.storage.Labels.Builder b = syslens.storage.Labels.builder();
    int brace = key.indexOf('{');
    b.set("__name__", brace < 0 ? key : key.substring(0, brace));
    if (brace >= 0) {
      int i = brace + 1;
      while (i < key.length() && key.charAt(i) != '}') {
        int eq = key.indexOf('=', i);
        String name = key.substring(i, eq);
        StringBuilder v = new StringBuilder();
        int j = eq + 2;
        while (key.charAt(j) != '"') {
          char c = key.charAt(j);
          if (c == '\\') {
            char n = key.charAt(++j);
            v.append(n == 'n' ? '\n' : n);
          } else {
            v.append(c);
          }
          j++;
        }
        b.set(name, v.toString());
        i = j + 1;
        if (i < key.length() && key.charAt(i) == ',') {
          i++;
        }
      }
    }
    return b.build();
  }

  private static BigDecimal dec(double v) {
    return Double.isFinite(v) ? new BigDecimal(Double.toString(v)) : BigDecimal.ZERO;
  }
}
