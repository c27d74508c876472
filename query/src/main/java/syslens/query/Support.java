package syslens.query;

import syslens.query.parser.Expr;

/** Which parsed PromQL the evaluator implements so far. */
public final class Support {
  private Support() {}

  /** Null when every node of {@code e} can be evaluated, else what cannot (e.g. "subquery"). */
  public static String unsupported(Expr e) {
    return switch (e) {
      case Expr.SubqueryExpr s -> "subquery";
      case Expr.Call c -> {
        if (!Functions.supports(c.function().name())) {
          yield "function \"" + c.function().name() + "\"";
        }
        String r = null;
        for (Expr a : c.args()) {
          r = r != null ? r : unsupported(a);
        }
        yield r;
      }
      case Expr.AggregateExpr a -> {
        String r = unsupported(a.expr());
        yield r != null || a.param() == null ? r : unsupported(a.param());
      }
      case Expr.BinaryExpr b -> {
        String r = unsupported(b.lhs());
        yield r != null ? r : unsupported(b.rhs());
      }
      case Expr.UnaryExpr u -> unsupported(u.expr());
      case Expr.ParenExpr p -> unsupported(p.expr());
      case Expr.MatrixSelector m -> null;
      case Expr.VectorSelector v -> null;
      case Expr.NumberLiteral n -> null;
      case Expr.StringLiteral s -> null;
    };
  }
}
