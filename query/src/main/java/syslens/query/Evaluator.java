package syslens.query;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import syslens.query.Val.Mat;
import syslens.query.Val.Sample;
import syslens.query.Val.Sca;
import syslens.query.Val.Str;
import syslens.query.Val.Vec;
import syslens.query.Val.Window;
import syslens.query.parser.Expr;
import syslens.query.parser.Expr.MatrixSelector;
import syslens.query.parser.Expr.VectorSelector;
import syslens.query.parser.TokenType;

/**
 * Evaluates an expression at one step over series loaded once per query. Selection follows
 * Prometheus 2.42: an instant selector takes the newest sample in [t - lookback, t] unless it is
 * a stale marker; a range selector takes the non-stale samples in [t - range, t].
 */
final class Evaluator {
  private final Map<List<syslens.storage.Matcher>, List<LoadedSeries>> data;
  private final long lookbackMs;
  private final long start;
  private final long end;

  Evaluator(Map<List<syslens.storage.Matcher>, List<LoadedSeries>> data, long lookbackMs, long start, long end) {
    this.data = data;
    this.lookbackMs = lookbackMs;
    this.start = start;
    this.end = end;
  }

  long start() {
    return start;
  }

  long end() {
    return end;
  }

  /** The time a selector reads at for step {@code t}: {@code @} time (or t) minus offset. */
  static long refTime(VectorSelector vs, long t, long start, long end) {
    long base = t;
    if (vs.at() != null) {
      base = switch (vs.at().kind()) {
        case TIME -> vs.at().timeMs();
        case START -> start;
        case END -> end;
      };
    }
    return base - vs.offsetMs();
  }

  Val eval(Expr e, long t) {
    return switch (e) {
      case Expr.NumberLiteral n -> new Sca(n.value());
      case Expr.StringLiteral s -> new Str(s.value());
      case Expr.ParenExpr p -> eval(p.expr(), t);
      case Expr.VectorSelector vs -> selectVector(vs, t);
      case Expr.MatrixSelector ms -> selectMatrix(ms, t);
      case Expr.UnaryExpr u -> unary(u, t);
      case Expr.BinaryExpr b -> checkUnique(BinaryOps.eval(this, b, t));
      case Expr.AggregateExpr a -> Aggregations.eval(this, a, t);
      case Expr.Call c -> checkUnique(Functions.call(this, c, t));
      case Expr.SubqueryExpr s -> throw new QueryException(QueryException.Kind.EXECUTION,
          "subqueries are not supported yet");
    };
  }

  Vec evalVector(Expr e, long t) {
    return (Vec) eval(e, t);
  }

  double evalScalar(Expr e, long t) {
    return ((Sca) eval(e, t)).v();
  }

  Vec selectVector(VectorSelector vs, long t) {
    long ref = refTime(vs, t, start, end);
    List<Sample> out = new ArrayList<>();
    for (LoadedSeries s : data.getOrDefault(vs.matchers(), List.of())) {
      int i = s.lastAtOrBefore(ref);
      if (i < 0 || s.ts()[i] < ref - lookbackMs || StaleNaN.is(s.vs()[i])) {
        continue;
      }
      out.add(new Sample(s.labels(), s.vs()[i], s.ts()[i]));
    }
    return new Vec(out);
  }

  Mat selectMatrix(MatrixSelector ms, long t) {
    long ref = refTime(ms.selector(), t, start, end);
    long from = ref - ms.rangeMs();
    List<Window> out = new ArrayList<>();
    for (LoadedSeries s : data.getOrDefault(ms.selector().matchers(), List.of())) {
      int lo = s.firstAtOrAfter(from);
      int hi = s.lastAtOrBefore(ref);
      if (hi < lo) {
        continue;
      }
      int n = 0;
      long[] ts = new long[hi - lo + 1];
      double[] vs = new double[hi - lo + 1];
      for (int i = lo; i <= hi; i++) {
        if (!StaleNaN.is(s.vs()[i])) {
          ts[n] = s.ts()[i];
          vs[n] = s.vs()[i];
          n++;
        }
      }
      if (n > 0) {
        out.add(new Window(s.labels(), n == ts.length ? ts : java.util.Arrays.copyOf(ts, n),
            n == vs.length ? vs : java.util.Arrays.copyOf(vs, n)));
      }
    }
    return new Mat(out);
  }

  private Val unary(Expr.UnaryExpr u, long t) {
    Val v = eval(u.expr(), t);
    if (u.op() != TokenType.SUB) {
      return v;
    }
    if (v instanceof Sca s) {
      return new Sca(-s.v());
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : ((Vec) v).samples()) {
      out.add(new Sample(s.labels().withoutMetricName(), -s.v(), t));
    }
    return checkUnique(new Vec(out));
  }

  /** Prometheus rejects a step whose vector has two samples with the same labels. */
  static Val checkUnique(Val v) {
    if (v instanceof Vec vec && vec.samples().size() > 1) {
      Set<syslens.storage.Labels> seen = new HashSet<>();
      for (Sample s : vec.samples()) {
        if (!seen.add(s.labels())) {
          throw new QueryException(QueryException.Kind.EXECUTION,
              "vector cannot contain metrics with the same labelset");
        }
      }
    }
    return v;
  }
}
