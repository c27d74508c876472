package syslens.query;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import syslens.query.Val.Sample;
import syslens.query.Val.Vec;
import syslens.query.parser.Expr.AggregateExpr;
import syslens.query.parser.TokenType;
import syslens.storage.LabelRules;
import syslens.storage.Labels;

/** Aggregation operators over one step's vector, as Prometheus 2.42 computes them. */
final class Aggregations {
  /** NaN sorts lowest, as in Prometheus' vectorByValueHeap. */
  static final Comparator<Double> NAN_LOW = Aggregations::compareNanLow;

  /** {@link #NAN_LOW} on primitives (no boxing in sorts of samples). */
  static int compareNanLow(double a, double b) {
    if (Double.isNaN(a)) {
      return Double.isNaN(b) ? 0 : -1;
    }
    if (Double.isNaN(b)) {
      return 1;
    }
    return a == b ? 0 : (a < b ? -1 : 1);
  }

  private Aggregations() {}

  private static final class Group {
    final Labels labels;
    final List<Sample> samples = new ArrayList<>();

    Group(Labels labels) {
      this.labels = labels;
    }
  }

  static Vec eval(Evaluator ev, AggregateExpr a, long t) {
    Vec in = ev.evalVector(a.expr(), t);
    TokenType op = a.op();
    double param = Double.NaN;
    String valueLabel = null;
    if (op == TokenType.COUNT_VALUES) {
      valueLabel = ((Val.Str) ev.eval(a.param(), t)).s();
      if (!LabelRules.isValidLabelName(valueLabel)) {
        throw new QueryException(QueryException.Kind.EXECUTION,
            "invalid label name \"" + valueLabel + "\"");
      }
    } else if (a.param() != null) {
      param = ev.evalScalar(a.param(), t);
    }
    if ((op == TokenType.TOPK || op == TokenType.BOTTOMK) && (long) param < 1) {
      return new Vec(List.of());
    }
    // Keys are interned (LabelCache): one group per key object, found without comparing labels.
    Map<Labels, Group> groups = new IdentityHashMap<>();
    List<Group> order = new ArrayList<>();
    List<String> dropNames = new ArrayList<>(a.grouping());
    dropNames.add(Labels.METRIC_NAME);
    LabelCache cache = ev.labels();
    QueryBudget budget = ev.budget();
    boolean without = a.without();
    List<String> grouping = a.grouping();
    List<Sample> samples = in.samples();
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      Labels key = cache.derive(a, i, s.labels(),
          l -> without ? l.drop(dropNames) : l.keep(grouping));
      budget.tick();
      if (op == TokenType.COUNT_VALUES) {
        String value = PromFormat.formatValue(s.v());
        budget.addBytes(value.length());
        key = cache.intern(key.toBuilder().set(valueLabel, value).build());
      }
      Group g = groups.get(key);
      if (g == null) {
        g = new Group(key);
        groups.put(key, g);
        order.add(g);
      }
      g.samples.add(s);
    }
    List<Sample> out = new ArrayList<>();
    for (Group g : order) {
      switch (op) {
        case TOPK, BOTTOMK -> {
          for (Sample s : TopK.select(g.samples, (long) param, op == TokenType.TOPK)) {
            out.add(new Sample(s.labels(), s.v(), t));
          }
        }
        default -> out.add(new Sample(g.labels, value(op, g.samples, param), t));
      }
    }
    return new Vec(out);
  }

  private static double value(TokenType op, List<Sample> samples, double param) {
    double first = samples.get(0).v();
    switch (op) {
      case SUM -> {
        double sum = first;
        for (int i = 1; i < samples.size(); i++) {
          sum += samples.get(i).v();
        }
        return sum;
      }
      case AVG -> {
        double mean = first;
        int count = 1;
        for (int i = 1; i < samples.size(); i++) {
          double v = samples.get(i).v();
          count++;
          if (Double.isInfinite(mean)) {
            if (Double.isInfinite(v) && (mean > 0) == (v > 0)) {
              continue;
            }
            if (!Double.isInfinite(v) && !Double.isNaN(v)) {
              continue;
            }
          }
          mean += v / count - mean / count;
        }
        return mean;
      }
      case COUNT, COUNT_VALUES -> {
        return samples.size();
      }
      case GROUP -> {
        return 1;
      }
      case MIN -> {
        double min = first;
        for (Sample s : samples) {
          if (min > s.v() || Double.isNaN(min)) {
            min = s.v();
          }
        }
        return min;
      }
      case MAX -> {
        double max = first;
        for (Sample s : samples) {
          if (max < s.v() || Double.isNaN(max)) {
            max = s.v();
          }
        }
        return max;
      }
      case STDDEV, STDVAR -> {
        double mean = first;
        double value = 0;
        int count = 1;
        for (int i = 1; i < samples.size(); i++) {
          double v = samples.get(i).v();
          count++;
          double delta = v - mean;
          mean += delta / count;
          value += delta * (v - mean);
        }
        double var = value / count;
        return op == TokenType.STDDEV ? Math.sqrt(var) : var;
      }
      case QUANTILE -> {
        double[] vs = new double[samples.size()];
        for (int i = 0; i < vs.length; i++) {
          vs[i] = samples.get(i).v();
        }
        return quantile(param, vs);
      }
      default -> throw new IllegalStateException("aggregation " + op);
    }
  }

  /** Prometheus' quantile: weighted average of the two nearest ranks; NaN sorts lowest. */
  static double quantile(double q, double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    Double[] sorted = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      sorted[i] = values[i];
    }
    java.util.Arrays.sort(sorted, NAN_LOW);
    double n = sorted.length;
    double rank = q * (n - 1);
    double lower = Math.max(0, Math.floor(rank));
    double upper = Math.min(n - 1, lower + 1);
    double weight = rank - Math.floor(rank);
    return sorted[(int) lower] * (1 - weight) + sorted[(int) upper] * weight;
  }
}
