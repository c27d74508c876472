package syslens.query;

import java.util.IdentityHashMap;
import java.util.Set;
import syslens.query.parser.Expr;
import syslens.query.parser.Expr.SubqueryExpr;
import syslens.query.parser.Expr.VectorSelector;

/** Which parts of a query {@link ColumnEvaluator} streams, decided once before evaluation. */
final class StreamPlan {
  private StreamPlan() {}

  /**
   * The outermost streamable subtrees of {@code root} (see {@link ColumnEvaluator}), evaluated
   * over all steps at once. Not inside subqueries (evaluated per step over loaded series), nor
   * the selector of {@code timestamp(x)} (which needs each sample's own time).
   */
  static Set<Expr> streamRoots(Expr root) {
    Set<Expr> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    plan(root, out);
    return out;
  }

  private static void plan(Expr e, Set<Expr> out) {
    if (ColumnEvaluator.streamable(e)) {
      out.add(e);
      return;
    }
    switch (e) {
      case Expr.ParenExpr p -> plan(p.expr(), out);
      case Expr.UnaryExpr u -> plan(u.expr(), out);
      case Expr.BinaryExpr b -> {
        plan(b.lhs(), out);
        plan(b.rhs(), out);
      }
      case Expr.AggregateExpr a -> {
        plan(a.expr(), out);
        if (a.param() != null) {
          plan(a.param(), out);
        }
      }
      case SubqueryExpr sq -> {
        // Evaluated once over all its steps: streamed when its expression is streamable.
        if (ColumnEvaluator.streamable(sq.expr())) {
          out.add(sq.expr());
        }
      }
      case Expr.Call c -> {
        for (Expr a : c.args()) {
          Expr u = a;
          while (u instanceof Expr.ParenExpr p) {
            u = p.expr();
          }
          if (!(c.function().name().equals("timestamp") && u instanceof VectorSelector)) {
            plan(a, out);
          }
        }
      }
      default -> { }
    }
  }

  /** The selectors {@link #streamRoots} read from storage while evaluating. */
  static Set<VectorSelector> streamedSelectors(Set<Expr> roots) {
    Set<VectorSelector> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Expr r : roots) {
      ColumnEvaluator.selectors(r, out);
    }
    return out;
  }
}
