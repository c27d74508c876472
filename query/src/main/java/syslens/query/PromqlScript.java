package syslens.query;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import syslens.query.parser.AtModifiers;
import syslens.query.parser.Durations;
import syslens.query.parser.Expr;
import syslens.query.parser.Numbers;
import syslens.storage.Appender;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Storage;

/**
 * Runs Prometheus 2.42's PromQL test scripts ({@code load}, {@code clear}, {@code eval instant},
 * {@code eval_fail}, {@code eval_ordered}) against this engine over any {@link Storage}. Like
 * Prometheus' {@code promql/test.go}, each instant eval also runs in range mode (t-1m..t+1m,
 * step 1m, the middle step compared) and, unless it calls a time-dependent function, again with
 * {@code @} pinned to its time at other evaluation times. A case passes when all of those agree
 * with the expected result; a case the engine cannot parse or evaluate fails.
 */
public final class PromqlScript {
  /** One file's outcome. */
  public record Result(String file, int passed, List<String> failures) {
    public Result {
      failures = List.copyOf(failures);
    }

    public int failed() {
      return failures.size();
    }
  }

  private final Supplier<? extends Storage> storages;
  private final Function<Storage, Engine> engines;

  private PromqlScript(Supplier<? extends Storage> storages, Function<Storage, Engine> engines) {
    this.storages = storages;
    this.engines = engines;
  }

  /**
   * A runner that opens a fresh storage for each file and each {@code clear}, closing the old
   * one, and builds an engine over it with {@code engines}.
   */
  public static PromqlScript create(Supplier<? extends Storage> storages,
      Function<Storage, Engine> engines) {
    return new PromqlScript(requireNonNull(storages, "storages"),
        requireNonNull(engines, "engines"));
  }

  /** Runs one script file. */
  public Result run(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    String name = file.getFileName().toString();
    int passed = 0;
    List<String> failures = new ArrayList<>();
    Storage storage = storages.get();
    try {
      Engine engine = engines.apply(storage);
      int i = 0;
      while (i < lines.size()) {
        String line = lines.get(i).strip();
        int lineNo = i + 1;
        i++;
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        if (line.equals("clear")) {
          storage.close();
          storage = storages.get();
          engine = engines.apply(storage);
        } else if (line.startsWith("load ")) {
          long interval = Durations.parseMillis(line.substring(5).strip());
          // As in Prometheus' runner, a series defined twice in one block keeps the last.
          Map<Labels, List<Double>> defs = new LinkedHashMap<>();
          String err = null;
          while (i < lines.size() && isIndented(lines.get(i))) {
            try {
              parseLoadLine(lines.get(i).strip(), defs);
            } catch (RuntimeException e) {
              err = err != null ? err : "bad load line '" + lines.get(i).strip() + "': "
                  + e.getMessage();
            }
            i++;
          }
          Appender app = storage.appender();
          for (Map.Entry<Labels, List<Double>> d : defs.entrySet()) {
            String e = append(app, d.getKey(), d.getValue(), interval);
            err = err != null ? err : e;
          }
          app.commit();
          if (err != null) {
            failures.add(name + ":" + lineNo + ": " + err);
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
          String err = evalCase(engine, line, expected);
          if (err == null) {
            passed++;
          } else {
            failures.add(name + ":" + lineNo + " " + line + ": " + err);
          }
        } else {
          failures.add(name + ":" + lineNo + ": unknown command " + line);
        }
      }
    } finally {
      storage.close();
    }
    return new Result(name, passed, failures);
  }

  private static String evalCase(Engine engine, String line, List<String> expected) {
    String[] head = line.split("\\s+", 5);
    if (head.length < 5 || !head[1].equals("instant") || !head[2].equals("at")) {
      return "malformed eval command (expected: eval[_fail|_ordered] instant at <time> <expr>)";
    }
    String cmd = head[0];
    long t;
    try {
      t = Durations.parseMillis(head[3]);
    } catch (RuntimeException e) {
      return "bad time " + head[3];
    }
    boolean fail = cmd.equals("eval_fail");
    Expr expr;
    try {
      expr = Engine.parse(head[4]);
    } catch (QueryException e) {
      return fail ? null : "parse failed: " + e.getMessage();
    } catch (RuntimeException | StackOverflowError e) {
      return "parser crashed: " + e;
    }
    String err = evalAt(engine, cmd, expr, t, expected, "");
    if (err != null) {
      return err;
    }
    Expr pinned = AtModifiers.pin(expr, t);
    if (pinned == null) {
      return null;
    }
    for (long other : AtModifiers.otherEvalTimes(t)) {
      err = evalAt(engine, cmd, pinned, other, expected, "with @ " + t + "ms evaluated at "
          + other + "ms: ");
      if (err != null) {
        return err;
      }
    }
    return null;
  }

  private static String evalAt(Engine engine, String cmd, Expr expr, long t,
      List<String> expected, String mode) {
    Value v;
    try {
      v = engine.instantQuery(expr, t);
    } catch (QueryException e) {
      return cmd.equals("eval_fail") ? null : mode + "unexpected error: " + e.getMessage();
    } catch (RuntimeException | StackOverflowError e) {
      return mode + "engine crashed: " + e;
    }
    if (cmd.equals("eval_fail")) {
      return mode + "expected an error, got " + v;
    }
    String err = compare(v, expected, cmd.equals("eval_ordered"));
    if (err != null || cmd.equals("eval_ordered")
        || !(v instanceof InstantVector || v instanceof Scalar)) {
      return err == null ? null : mode + err;
    }
    // Range mode: the middle step must give the same result.
    Matrix m;
    try {
      m = engine.rangeQuery(expr, t - 60_000, t + 60_000, 60_000);
    } catch (QueryException e) {
      return mode + "range mode: unexpected error: " + e.getMessage();
    } catch (RuntimeException | StackOverflowError e) {
      return mode + "range mode: engine crashed: " + e;
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
    return rerr == null ? null : mode + "range mode: " + rerr;
  }

  private static boolean isIndented(String l) {
    return !l.isEmpty() && Character.isWhitespace(l.charAt(0)) && !l.isBlank();
  }

  static String compare(Value v, List<String> expected, boolean ordered) {
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
    Map<Labels, Double> want = new LinkedHashMap<>();
    for (String e : expected) {
      int cut = Math.max(e.lastIndexOf(' '), e.lastIndexOf('\t'));
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
    if (a == 0 || b == 0 || diff < Double.MIN_NORMAL) {
      return diff < 1e-6 * Double.MIN_NORMAL;
    }
    return diff / (Math.abs(a) + Math.abs(b)) < 1e-6;
  }

  private static double parseValue(String s) {
    return Numbers.parse(s.startsWith("+") ? s.substring(1) : s);
  }

  /** {@code name{a="b"}} or {@code {a="b"}} to labels, via the PromQL parser. */
  public static Labels parseLabels(String desc) {
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

  /** Parses one load line into {@code defs} (a later definition of a series replaces it). */
  private static void parseLoadLine(String line, Map<Labels, List<Double>> defs) {
    int brace = line.indexOf('}');
    int split = brace >= 0 ? brace + 1 : line.split("\\s")[0].length();
    Labels labels = parseLabels(line.substring(0, split).strip());
    List<Double> values = new ArrayList<>();
    for (String item : line.substring(split).strip().split("\\s+")) {
      expand(item, values);
    }
    defs.put(labels, values);
  }

  /** Appends one series' values; an error message when storage refused a sample, else null. */
  private static String append(Appender app, Labels labels, List<Double> values, long interval) {
    for (int k = 0; k < values.size(); k++) {
      if (values.get(k) != null) {
        AppendStatus st = app.append(labels, k * interval, values.get(k));
        if (st != AppendStatus.OK) {
          return "storage refused " + labels + " @" + (k * interval) + ": " + st;
        }
      }
    }
    return null;
  }

  /** Most points one {@code xN} item may expand to. */
  static final int MAX_EXPANSION = 1_000_000;

  private static final java.util.regex.Pattern SERIES_ITEM = java.util.regex.Pattern.compile(
      "([+-]?[^+\\-x]+?(?:[eE][+-]?\\d+)?)(?:([+-][^x]+)?x(\\d+))?");

  /** Series-description values: {@code 1}, {@code _}, {@code stale}, {@code a+bxN}, {@code _xN}. */
  public static void expand(String item, List<Double> out) {
    if (item.equals("_")) {
      out.add(null);
      return;
    }
    if (item.startsWith("_x")) {
      int n = Integer.parseInt(item.substring(2));
      if (n > MAX_EXPANSION) {
        throw new IllegalArgumentException("series value " + item + ": " + n + " repetitions "
            + "(expected: <= " + MAX_EXPANSION + ")");
      }
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
    if (n > MAX_EXPANSION) {
      throw new IllegalArgumentException("series value " + item + ": " + n + " repetitions "
          + "(expected: <= " + MAX_EXPANSION + ")");
    }
    double v = start;
    for (int k = 0; k <= n; k++) {
      out.add(v);
      v += step;
    }
  }
}
