package syslens.bench;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A recording of a real node_exporter (bench/scripts/record-node-exporter.sh): scrapes of the
 * Prometheus text format, each after a line {@code # SCRAPE <unix-ms>}. Only series present in
 * every scrape are kept, so each has one value per scrape.
 */
final class Recording {
  static final String RESOURCE = "/syslens/bench/node-exporter-recording.txt.gz";
  /** Bounds on what is read, so a wrong file cannot exhaust memory. */
  static final int MAX_SCRAPES = 2_000;
  static final int MAX_SERIES = 20_000;

  /** One recorded series: its labels (metric name first), its TYPE, and one value per scrape. */
  record Series(String name, List<String[]> labels, String type, double[] values, int decimals) {
    boolean isCounter() {
      if (!(type.equals("counter") || name.endsWith("_total") || name.endsWith("_count")
          || name.endsWith("_sum") && type.equals("summary"))) {
        return false;
      }
      for (int i = 1; i < values.length; i++) {
        if (values[i] < values[i - 1]) {
          return false;
        }
      }
      return true;
    }

    boolean isConstant() {
      for (double v : values) {
        if (Double.compare(v, values[0]) != 0) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Series> series;
  private final long intervalMs;

  private Recording(List<Series> series, long intervalMs) {
    this.series = List.copyOf(series);
    this.intervalMs = intervalMs;
  }

  /** The recording shipped with the bench module. */
  static Recording load() {
    InputStream in = Recording.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException("resource " + RESOURCE + " missing (expected: in the bench jar;"
          + " record one with bench/scripts/record-node-exporter.sh)");
    }
    try (in) {
      return parse(new GZIPInputStream(in));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + RESOURCE, e);
    }
  }

  static Recording parse(InputStream in) throws IOException {
    requireNonNull(in, "in");
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    Map<String, String> types = new HashMap<>();
    Map<String, List<Double>> values = new LinkedHashMap<>();
    Map<String, Integer> decimals = new HashMap<>();
    List<Long> scrapeTimes = new ArrayList<>();
    String line;
    while ((line = r.readLine()) != null) {
      if (line.startsWith("# SCRAPE ")) {
        if (scrapeTimes.size() == MAX_SCRAPES) {
          break;
        }
        scrapeTimes.add(Long.parseLong(line.substring(9).trim()));
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        if (p.length == 4) {
          types.put(p[2], p[3]);
        }
        continue;
      }
      if (line.isEmpty() || line.startsWith("#") || scrapeTimes.isEmpty()) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      String key = line.substring(0, sp);
      String text = line.substring(sp + 1);
      List<Double> vs = values.get(key);
      if (vs == null) {
        if (values.size() == MAX_SERIES) {
          continue;
        }
        vs = new ArrayList<>();
        values.put(key, vs);
      }
      // Pad a series that appeared late so positions line up with scrapes; dropped below.
      while (vs.size() < scrapeTimes.size() - 1) {
        vs.add(Double.NaN);
      }
      if (vs.size() < scrapeTimes.size()) {
        vs.add(parseValue(text));
        decimals.merge(key, decimalsOf(text), Math::max);
      }
    }
    int n = scrapeTimes.size();
    if (n < 2) {
      throw new IllegalArgumentException("recording: " + n + " scrapes (expected: >= 2)");
    }
    List<Series> out = new ArrayList<>();
    for (Map.Entry<String, List<Double>> e : values.entrySet()) {
      List<Double> vs = e.getValue();
      if (vs.size() != n || vs.stream().anyMatch(v -> !Double.isFinite(v))) {
        continue;
      }
      List<String[]> labels = parseLabels(e.getKey());
      String name = labels.get(0)[1];
      String type = types.getOrDefault(name, typeOfSuffixed(types, name));
      double[] arr = vs.stream().mapToDouble(Double::doubleValue).toArray();
      out.add(new Series(name, labels, type, arr, decimals.getOrDefault(e.getKey(), 0)));
    }
    long interval = Math.max(1, (scrapeTimes.get(n - 1) - scrapeTimes.get(0)) / (n - 1));
    return new Recording(out, interval);
  }

  private static String typeOfSuffixed(Map<String, String> types, String name) {
    for (String suffix : new String[] {"_sum", "_count", "_bucket"}) {
      if (name.endsWith(suffix)) {
        String t = types.get(name.substring(0, name.length() - suffix.length()));
        if (t != null) {
          return t;
        }
      }
    }
    return "untyped";
  }

  private static double parseValue(String s) {
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }

  /** Digits after the decimal point as written (1.5e-05 counts as 6), capped at 9. */
  static int decimalsOf(String s) {
    int e = s.indexOf('e');
    String mantissa = e < 0 ? s : s.substring(0, e);
    int exp = e < 0 ? 0 : Integer.parseInt(s.substring(e + 1).replace("+", ""));
    int dot = mantissa.indexOf('.');
    int d = dot < 0 ? 0 : mantissa.length() - dot - 1;
    return Math.max(0, Math.min(9, d - exp));
  }

  /** {@code name{a="b",c="d"}} to [[__name__, name], [a, b], [c, d]]. */
  static List<String[]> parseLabels(String key) {
    List<String[]> out = new ArrayList<>();
    int brace = key.indexOf('{');
    out.add(new String[] {"__name__", brace < 0 ? key : key.substring(0, brace)});
    if (brace < 0) {
      return out;
    }
    int i = brace + 1;
    while (i < key.length() && key.charAt(i) != '}') {
      int eq = key.indexOf('=', i);
      String name = key.substring(i, eq).trim();
      StringBuilder v = new StringBuilder();
      int j = eq + 2; // after ="
      while (key.charAt(j) != '"') {
        char c = key.charAt(j);
        if (c == '\\') {
          char next = key.charAt(++j);
          v.append(next == 'n' ? '\n' : next);
        } else {
          v.append(c);
        }
        j++;
      }
      out.add(new String[] {name, v.toString()});
      i = j + 1;
      if (i < key.length() && key.charAt(i) == ',') {
        i++;
      }
    }
    return out;
  }

  List<Series> series() {
    return series;
  }

  long intervalMs() {
    return intervalMs;
  }

  int scrapes() {
    return series.isEmpty() ? 0 : series.get(0).values().length;
  }
}
