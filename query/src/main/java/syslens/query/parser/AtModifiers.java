package syslens.query.parser;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import syslens.query.parser.Expr.At;

/**
 * Rewrites an expression so every selector and subquery outside subqueries reads at a fixed time
 * ({@code @ t}), leaving those that already have an {@code @} alone: what Prometheus' test runner
 * does to check that a query's result does not depend on the evaluation time once pinned.
 */
public final class AtModifiers {
  /** Functions whose result depends on the evaluation time itself (Prometheus' list). */
  public static final Set<String> UNSAFE_FUNCTIONS = Set.of("days_in_month", "day_of_month",
      "day_of_week", "day_of_year", "hour", "minute", "month", "year", "predict_linear", "time",
      "timestamp");

  private AtModifiers() {}

  /** {@code e} with {@code @ timeMs} pinned, or null when it calls an unsafe function. */
  public static Expr pin(Expr e, long timeMs) {
    boolean[] unsafe = new boolean[1];
    Expr r = pin(e, new At(At.Kind.TIME, timeMs), unsafe);
    return unsafe[0] ? null : r;
  }

  private static Expr pin(Expr e, At at, boolean[] unsafe) {
    return switch (e) {
      case Expr.VectorSelector vs -> vs.at() == null ? vs.withAt(at) : vs;
      case Expr.MatrixSelector ms -> ms.selector().at() == null
          ? new Expr.MatrixSelector(ms.selector().withAt(at), ms.rangeMs(), ms.pos()) : ms;
      case Expr.SubqueryExpr s -> s.at() == null ? new Expr.SubqueryExpr(s.expr(), s.rangeMs(),
          s.stepMs(), s.offsetMs(), at, s.pos()) : s;
      case Expr.Call c -> {
        if (UNSAFE_FUNCTIONS.contains(c.function().name())) {
          unsafe[0] = true;
        }
        List<Expr> args = new ArrayList<>(c.args().size());
        for (Expr a : c.args()) {
          args.add(pin(a, at, unsafe));
        }
        yield new Expr.Call(c.function(), args, c.pos());
      }
      case Expr.AggregateExpr a -> new Expr.AggregateExpr(a.op(), pin(a.expr(), at, unsafe),
          a.param() == null ? null : pin(a.param(), at, unsafe), a.grouping(), a.without(),
          a.pos());
      case Expr.BinaryExpr b -> new Expr.BinaryExpr(b.op(), pin(b.lhs(), at, unsafe),
          pin(b.rhs(), at, unsafe), b.matching(), b.returnBool());
      case Expr.UnaryExpr u -> new Expr.UnaryExpr(u.op(), pin(u.expr(), at, unsafe), u.pos());
      case Expr.ParenExpr p -> new Expr.ParenExpr(pin(p.expr(), at, unsafe), p.pos());
      case Expr.NumberLiteral n -> n;
      case Expr.StringLiteral s -> s;
    };
  }

  /**
   * The other evaluation times Prometheus' runner tries once {@code @} is pinned to {@code ts}:
   * -10ts, 0, ts/5, ts, 10ts (or 0, -1s, 1s when ts is 0).
   */
  public static long[] otherEvalTimes(long ts) {
    return ts == 0 ? new long[] {0, -1000, 1000} : new long[] {-10 * ts, 0, ts / 5, ts, 10 * ts};
  }
}
