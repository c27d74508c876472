package syslens.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import syslens.query.parser.Durations;
import syslens.query.parser.Expr;
import syslens.query.parser.Numbers;
import syslens.storage.Labels;
import syslens.storage.Matcher;

/**
 * Runs Prometheus 2.42's PromQL test scripts (../shared/promql-testdata beside the checkout,
 * passed by the POM as -Dpromql.testdata) against this engine. Cases whose expression uses something the engine does
 * not implement yet ({@link Support}) are skipped; every other case must pass, in instant mode
 * and (as Prometheus' own harness does) in range mode at t-1m..t+1m step 1m.
 */
class PromqlTestdataTest {
  private static final Path DIR = Path.of(System.getProperty("promql.testdata",
      "../../shared/promql-testdata"));

  record FileResult(String file, int passed, int skipped, List<String> failures) {}

  @Test
  void testdata_supportedCasesPass() throws IOException {
    assertThat(DIR).as("promql-testdata directory").isDirectory();
    List<FileResult> results = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".test")).sorted().toList()) {
        results.add(runFile(f));
      }
    }
    int passed = 0;
    int skipped = 0;
    List<String> failures = new ArrayList<>();
    for (FileResult r : results) {
      System.out.printf("promql-testdata %-22s %3d passed, %3d skipped, %d failed%n", r.file,
          r.passed, r.skipped, r.failures.size());
      passed += r.passed;
      skipped += r.skipped;
      failures.addAll(r.failures);
    }
    failures.forEach(System.out::println);
    System.out.println("promql-testdata: " + passed + " passed, " + skipped + " skipped");
    assertThat(failures).isEmpty();
    assertThat(passed).isPositive();
  }

  private FileResult runFile(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    MemoryQueryable storage = MemoryQueryable.create();
    Engine engine = Engine.builder(storage).build();
    String name = file.getFileName().toString();
    int passed = 0;
    int skipped = 0;
    List<String> failures = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i).strip();
      int lineNo = i + 1;
      i++;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.equals("clear")) {
        storage.clear();
      } else if (line.startsWith("load ")) {
        long interval = Durations.parseMillis(line.substring(5).strip());
        while (i < lines.size() && isIndented(lines.get(i))) {
          load(storage, lines.get(i).strip(), interval);
          i++;
        }
      } else if (line.startsWith("eval")) {
        List<String> expected = new ArrayList<>();
        while (i < lines.size() && isIndented(lines.get(i))) {
          String e = lines.get(i).strip();
          if (!e.startsWith("#")) {
            expected.add(e);
          }
          i++;
        }
        String[] head = line.split("\\s+", 5);
        String cmd = head[0];
        long t = Durations.parseMillis(head[3]);
        String query = head[4];
        String where = name + ":" + lineNo + " " + query;
        Expr expr;
        try {
          expr = Engine.parse(query);
        } catch (QueryException e) {
          if (cmd.equals("eval_fail")) {
            passed++;
          } else {
            failures.add(where + ": parse failed: " + e.getMessage());
          }
          continue;
        }
        if (Support.unsupported(expr) != null) {
          skipped++;
          continue;
        }
        String err = runCase(engine, cmd, query, t, expected);
        if (err == null) {
          passed++;
        } else {
          failures.add(where + ": " + err);
        }
      } else {
        failures.add(name + ":" + lineNo + ": unknown command " + line);
      }
    }
    return new FileResult(name, passed, skipped, failures);
  }

  private static boolean isIndented(String l) {
    return !l.isEmpty() && Character.isWhitespace(l.charAt(0)) && !l.isBlank();
  }

  private static String runCase(Engine engine, String cmd, String query, long t,
      List<String> expected) {
    Value v;
    try {
      v = engine.instantQuery(query, t);
    } catch (QueryException e) {
      return cmd.equals("eval_fail") ? null : "unexpected error: " + e.getMessage();
    }
    if (cmd.equals("eval_fail")) {
      return "expected an error, got " + v;
    }
    String err = compare(v, expected, cmd.equals("eval_ordered"));
    if (err != null || cmd.equals("eval_ordered")
        || !(v instanceof InstantVector || v instanceof Scalar)) {
      return err;
    }
    // Range mode: the middle step must give the same result.
    Matrix m;
    try {
      m = engine.rangeQuery(query, t - 60_000, t + 60_000, 60_000);
    } catch (QueryException e) {
      return "range mode: unexpected error: " + e.getMessage();
    }
    List<VectorSample> atT = new ArrayList<>();
    for (RangeSeries s : m.series()) {
      for (Point p : s.points()) {
        if (p.timestampMs() == t) {
          atT.add(new VectorSample(s.labels(), t, p.value()));
        }
      }
    }
    Value rv = v instanceof Scalar
        ? new Scalar(t, atT.isEmpty() ? Double.NaN : atT.get(0).value())
        : new InstantVector(atT);
    String rerr = compare(rv, expected, false);
    return rerr == null ? null : "range mode: " + rerr;
  }

  private static String compare(Value v, List<String> expected, boolean ordered) {
    if (v instanceof Scalar s) {
      if (expected.size() != 1 || expected.get(0).split("\\s+").length != 1) {
        return "got scalar " + s.value() + ", expected " + expected;
      }
      double want = parseValue(expected.get(0));
      return almostEqual(want, s.value()) ? null : "got scalar " + s.value() + ", expected "
          + want;
    }
    if (!(v instanceof InstantVector vec)) {
      return "got " + v.resultType() + " result " + v + ", expected a vector";
    }
    Map<Labels, Double> want = new java.util.LinkedHashMap<>();
    for (String e : expected) {
      int cut = e.lastIndexOf(' ');
      int tab = e.lastIndexOf('\t');
      cut = Math.max(cut, tab);
      if (cut < 0) {
        return "expected a vector element, got scalar line '" + e + "'";
      }
      want.put(parseLabels(e.substring(0, cut).strip()), parseValue(e.substring(cut + 1)));
    }
    if (vec.samples().size() != want.size()) {
      return "got " + vec.samples().size() + " samples " + vec.samples() + ", expected "
          + want.size() + " " + want;
    }
    List<Labels> order = new ArrayList<>(want.keySet());
    for (int k = 0; k < vec.samples().size(); k++) {
      VectorSample s = vec.samples().get(k);
      Double w = want.get(s.labels());
      if (w == null) {
        return "unexpected sample " + s.labels() + " " + s.value() + ", expected " + want;
      }
      if (!almostEqual(w, s.value())) {
        return "sample " + s.labels() + ": got " + s.value() + ", expected " + w;
      }
      if (ordered && !order.get(k).equals(s.labels())) {
        return "order: got " + s.labels() + " at " + k + ", expected " + order.get(k);
      }
    }
    return null;
  }

  /** Prometheus' test comparison: relative epsilon 1e-6, NaN equals NaN. */
  static boolean almostEqual(double a, double b) {
    if (Double.isNaN(a) && Double.isNaN(b)) {
      return true;
    }
    if (a == b) {
      return true;
    }
    double diff = Math.abs(a - b);
    double minNormal = Double.MIN_NORMAL;
    if (a == 0 || b == 0 || diff < minNormal) {
      return diff < 1e-6 * minNormal;
    }
    return diff / (Math.abs(a) + Math.abs(b)) < 1e-6;
  }

  private static double parseValue(String s) {
    return Numbers.parse(s.startsWith("+") ? s.substring(1) : s);
  }

  /** {@code name{a="b"}} or {@code {a="b"}} to labels, via the PromQL parser. */
  private static Labels parseLabels(String desc) {
    if (desc.equals("{}")) {
      return Labels.empty();
    }
    Expr e = Engine.parse(desc);
    Labels.Builder b = Labels.builder();
    for (Matcher m : ((Expr.VectorSelector) e).matchers()) {
      b.set(m.name(), m.value());
    }
    return b.build();
  }

  private static void load(MemoryQueryable storage, String line, long interval) {
    int brace = line.indexOf('}');
    int split = brace >= 0 ? brace + 1 : line.indexOf(' ');
    if (brace < 0) {
      split = line.split("\\s")[0].length();
    }
    Labels labels = parseLabels(line.substring(0, split).strip());
    List<Double> values = new ArrayList<>();
    for (String item : line.substring(split).strip().split("\\s+")) {
      expand(item, values);
    }
    for (int k = 0; k < values.size(); k++) {
      if (values.get(k) != null) {
        storage.add(labels, k * interval, values.get(k));
      }
    }
  }

  private static final java.util.regex.Pattern SERIES_ITEM = java.util.regex.Pattern.compile(
      "([+-]?[^+\\-x]+?(?:[eE][+-]?\\d+)?)(?:([+-][^x]+)?x(\\d+))?");

  /** Series-description values: {@code 1}, {@code _}, {@code stale}, {@code a+bxN}, {@code _xN}. */
  private static void expand(String item, List<Double> out) {
    if (item.equals("_")) {
      out.add(null);
      return;
    }
    if (item.startsWith("_x")) {
      int n = Integer.parseInt(item.substring(2));
      for (int k = 0; k < n; k++) {
        out.add(null);
      }
      return;
    }
    if (item.equals("stale")) {
      out.add(StaleNaN.VALUE);
      return;
    }
    java.util.regex.Matcher m = SERIES_ITEM.matcher(item);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad series value: " + item);
    }
    double start = parseValue(m.group(1));
    if (m.group(3) == null) {
      out.add(start);
      return;
    }
    double step = m.group(2) == null ? 0 : parseValue(m.group(2));
    int n = Integer.parseInt(m.group(3));
    double v = start;
    for (int k = 0; k <= n; k++) {
      out.add(v);
      v += step;
    }
  }

  @Test
  void expand_seriesValues() {
    List<Double> out = new ArrayList<>();
    expand("0+10x2", out);
    expand("_x2", out);
    expand("1x1", out);
    expand("-1-2x1", out);
    expand("1e3", out);
    assertThat(out).containsExactly(0.0, 10.0, 20.0, null, null, 1.0, 1.0, -1.0, -3.0, 1000.0);
  }
}
