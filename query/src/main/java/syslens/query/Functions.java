package syslens.query;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import syslens.query.Val.Mat;
import syslens.query.Val.Sample;
import syslens.query.Val.Sca;
import syslens.query.Val.Vec;
import syslens.query.Val.Window;
import syslens.query.parser.Expr;
import syslens.query.parser.Expr.Call;
import syslens.query.parser.Expr.MatrixSelector;
import syslens.query.parser.Expr.VectorSelector;
import syslens.storage.LabelRules;
import syslens.storage.Labels;
import syslens.storage.Matcher;

/** Function calls: dispatch, and the instant-vector and scalar functions. */
final class Functions {
  private static final Set<String> VECTOR_FUNCTIONS = Set.of("abs", "ceil", "floor", "exp",
      "sqrt", "ln", "log2", "log10", "sgn", "deg", "rad", "acos", "acosh", "asin", "asinh", "atan",
      "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "round", "clamp", "clamp_min",
      "clamp_max", "scalar", "vector", "time", "pi", "timestamp", "absent", "absent_over_time",
      "sort", "sort_desc", "label_replace", "label_join", "day_of_month", "day_of_week",
      "day_of_year", "days_in_month", "hour", "minute", "month", "year", "histogram_quantile",
      "histogram_count", "histogram_sum", "histogram_fraction");

  private Functions() {}

  /** Whether the evaluator implements function {@code name}. */
  static boolean supports(String name) {
    return VECTOR_FUNCTIONS.contains(name) || RangeFunctions.supports(name);
  }

  static Val call(Evaluator ev, Call c, long t) {
    String name = c.function().name();
    List<Expr> args = c.args();
    if (RangeFunctions.supports(name)) {
      return rangeCall(ev, c, t);
    }
    return switch (name) {
      case "time" -> new Sca(t / 1000.0);
      case "pi" -> new Sca(Math.PI);
      case "vector" -> new Vec(List.of(new Sample(Labels.empty(), ev.evalScalar(args.get(0), t),
          t)));
      case "scalar" -> {
        Vec v = ev.evalVector(args.get(0), t);
        yield new Sca(v.samples().size() == 1 ? v.samples().get(0).v() : Double.NaN);
      }
      case "absent" -> {
        Vec v = ev.evalVector(args.get(0), t);
        yield v.samples().isEmpty() ? absentResult(args.get(0), t) : new Vec(List.of());
      }
      case "absent_over_time" -> {
        Mat m = (Mat) ev.eval(args.get(0), t);
        yield m.series().isEmpty() ? absentResult(args.get(0), t) : new Vec(List.of());
      }
      case "timestamp" -> {
        boolean direct = unwrap(args.get(0)) instanceof VectorSelector;
        yield map(ev, ev.evalVector(args.get(0), t), t,
            s -> (direct ? s.t() : t) / 1000.0);
      }
      case "round" -> {
        double to = args.size() > 1 ? ev.evalScalar(args.get(1), t) : 1;
        double inv = 1.0 / to;
        yield simple(ev, args.get(0), t, v -> Math.floor(v * inv + 0.5) / inv);
      }
      case "clamp" -> {
        double min = ev.evalScalar(args.get(1), t);
        double max = ev.evalScalar(args.get(2), t);
        if (max < min) {
          yield new Vec(List.of());
        }
        yield simple(ev, args.get(0), t, v -> Math.max(min, Math.min(max, v)));
      }
      case "clamp_min" -> {
        double min = ev.evalScalar(args.get(1), t);
        yield simple(ev, args.get(0), t, v -> Math.max(min, v));
      }
      case "clamp_max" -> {
        double max = ev.evalScalar(args.get(1), t);
        yield simple(ev, args.get(0), t, v -> Math.min(max, v));
      }
      case "histogram_quantile" -> Histograms.quantile(ev, ev.evalScalar(args.get(0), t),
          ev.evalVector(args.get(1), t), t);
      // Only native histograms have a count, sum or fraction: float samples give nothing.
      case "histogram_count", "histogram_sum" -> {
        ev.evalVector(args.get(0), t);
        yield new Vec(List.of());
      }
      case "histogram_fraction" -> {
        ev.evalVector(args.get(2), t);
        yield new Vec(List.of());
      }
      case "sort", "sort_desc" -> sort(ev.evalVector(args.get(0), t), name.equals("sort_desc"));
      case "label_replace" -> LabelFunctions.labelReplace(ev, c, t);
      case "label_join" -> LabelFunctions.labelJoin(ev, c, t);
      case "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute",
          "month", "year" -> dateFunction(ev, name, args, t);
      default -> simple(ev, args.get(0), t, math(name));
    };
  }

  private static DoubleUnaryOperator math(String name) {
    return switch (name) {
      case "abs" -> Math::abs;
      case "ceil" -> Math::ceil;
      case "floor" -> Math::floor;
      case "exp" -> Math::exp;
      case "sqrt" -> Math::sqrt;
      case "ln" -> Math::log;
      case "log2" -> v -> Math.log(v) / Math.log(2);
      case "log10" -> Math::log10;
      case "sgn" -> v -> v < 0 ? -1 : v > 0 ? 1 : v;
      case "deg" -> v -> v * 180 / Math.PI;
      case "rad" -> v -> v * Math.PI / 180;
      case "acos" -> Math::acos;
      case "asin" -> Math::asin;
      case "atan" -> Math::atan;
      case "cos" -> Math::cos;
      case "sin" -> Math::sin;
      case "tan" -> Math::tan;
      case "cosh" -> Math::cosh;
      case "sinh" -> Math::sinh;
      case "tanh" -> Math::tanh;
      case "acosh" -> v -> Math.log(v + Math.sqrt(v * v - 1));
      case "asinh" -> v -> Double.isInfinite(v) ? v : Math.log(v + Math.sqrt(v * v + 1));
      case "atanh" -> v -> 0.5 * Math.log((1 + v) / (1 - v));
      default -> throw new QueryException(QueryException.Kind.EXECUTION,
          "function \"" + name + "\" is not supported yet");
    };
  }

  private static Expr unwrap(Expr e) {
    while (e instanceof Expr.ParenExpr p) {
      e = p.expr();
    }
    return e;
  }

  /** Applies {@code f} to every value and drops the metric name. */
  private static Vec simple(Evaluator ev, Expr arg, long t, DoubleUnaryOperator f) {
    return map(ev, ev.evalVector(arg, t), t, s -> f.applyAsDouble(s.v()));
  }

  private static Vec map(Evaluator ev, Vec in, long t,
      java.util.function.ToDoubleFunction<Sample> f) {
    List<Sample> out = new ArrayList<>(in.samples().size());
    LabelCache cache = ev.labels();
    for (Sample s : in.samples()) {
      out.add(new Sample(cache.withoutName(s.labels()), f.applyAsDouble(s), t));
    }
    return new Vec(out);
  }

  private static Vec sort(Vec in, boolean desc) {
    List<Sample> out = new ArrayList<>(in.samples());
    out.sort((a, b) -> {
      int c = Aggregations.compareNanLow(a.v(), b.v());
      boolean nan = Double.isNaN(a.v()) || Double.isNaN(b.v());
      // NaN sorts last either way.
      return nan ? -c : (desc ? -c : c);
    });
    return new Vec(out);
  }

  private static Vec absentResult(Expr arg, long t) {
    Expr e = unwrap(arg);
    List<Matcher> matchers = List.of();
    if (e instanceof VectorSelector vs) {
      matchers = vs.matchers();
    } else if (e instanceof MatrixSelector ms) {
      matchers = ms.selector().matchers();
    }
    Labels.Builder b = Labels.builder();
    List<String> empty = new ArrayList<>();
    java.util.Set<String> set = new java.util.HashSet<>();
    for (Matcher m : matchers) {
      if (m.name().equals(Labels.METRIC_NAME)) {
        continue;
      }
      if (m.type() == Matcher.Type.EQUAL && set.add(m.name())) {
        b.set(m.name(), m.value());
      } else {
        empty.add(m.name());
      }
    }
    empty.forEach(b::remove);
    return new Vec(List.of(new Sample(b.build(), 1, t)));
  }

  private static Vec dateFunction(Evaluator ev, String name, List<Expr> args, long t) {
    Vec in = args.isEmpty()
        ? new Vec(List.of(new Sample(Labels.empty(), t / 1000.0, t)))
        : ev.evalVector(args.get(0), t);
    return map(ev, in, t, s -> {
      ZonedDateTime d = Instant.ofEpochSecond((long) s.v()).atZone(ZoneOffset.UTC);
      return switch (name) {
        case "day_of_month" -> d.getDayOfMonth();
        case "day_of_week" -> d.getDayOfWeek().getValue() % 7;
        case "day_of_year" -> d.getDayOfYear();
        case "days_in_month" -> d.toLocalDate().lengthOfMonth();
        case "hour" -> d.getHour();
        case "minute" -> d.getMinute();
        case "month" -> d.getMonthValue();
        default -> d.getYear();
      };
    });
  }

  private static Val rangeCall(Evaluator ev, Call c, long t) {
    String name = c.function().name();
    int matIdx = name.equals("quantile_over_time") ? 1 : 0;
    double[] scalars = new double[c.args().size() - 1];
    for (int k = 0, j = 0; k < c.args().size(); k++) {
      if (k != matIdx) {
        scalars[j++] = ev.evalScalar(c.args().get(k), t);
      }
    }
    Evaluator.RangeArg ra = ev.rangeArg(c.args().get(matIdx), t);
    boolean keepName = name.equals("last_over_time");
    List<Window> windows = ra.mat().series();
    List<Sample> out = new ArrayList<>(windows.size());
    LabelCache cache = ev.labels();
    for (Window w : windows) {
      Double v = w.agg() != null && RangeFunctions.fromAggregates(name)
          ? RangeFunctions.applyAggregates(name, w, ra.rangeStart(), ra.rangeEnd())
          : RangeFunctions.apply(name, w, ra.rangeStart(), ra.rangeEnd(), t, scalars);
      if (v != null) {
        Labels l = keepName ? w.labels()
            : w.src() != null ? w.src().withoutName(cache) : cache.withoutName(w.labels());
        out.add(new Sample(l, v, t));
      }
    }
    return new Vec(out);
  }

  /** Label names must match Prometheus' rules. */
  static boolean validLabelName(String s) {
    return LabelRules.isValidLabelName(s);
  }

  static Pattern anchored(String regex, String function) {
    try {
      return Pattern.compile("^(?:" + regex + ")$");
    } catch (PatternSyntaxException e) {
      throw new QueryException(QueryException.Kind.EXECUTION,
          "invalid regular expression in " + function + "(): " + regex);
    }
  }
}
