package syslens.query.parser;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Walks over expression trees without recursion (safe on any depth). */
public final class Exprs {
  private Exprs() {}

  /** The direct children of {@code e}. */
  public static List<Expr> children(Expr e) {
    return switch (e) {
      case Expr.MatrixSelector m -> List.of(m.selector());
      case Expr.SubqueryExpr s -> List.of(s.expr());
      case Expr.Call c -> c.args();
      case Expr.AggregateExpr a -> a.param() == null ? List.of(a.expr())
          : List.of(a.param(), a.expr());
      case Expr.BinaryExpr b -> List.of(b.lhs(), b.rhs());
      case Expr.UnaryExpr u -> List.of(u.expr());
      case Expr.ParenExpr p -> List.of(p.expr());
      case Expr.VectorSelector v -> List.of();
      case Expr.NumberLiteral n -> List.of();
      case Expr.StringLiteral s -> List.of();
    };
  }

  /** The depth of the tree (a leaf is 1), counted up to just past {@code stopAbove}. */
  public static int depth(Expr root, int stopAbove) {
    record Item(Expr e, int depth) {}
    Deque<Item> stack = new ArrayDeque<>();
    stack.push(new Item(root, 1));
    int max = 0;
    while (!stack.isEmpty()) {
      Item it = stack.pop();
      max = Math.max(max, it.depth);
      if (max > stopAbove) {
        return max;
      }
      List<Expr> kids = new ArrayList<>(children(it.e));
      for (Expr k : kids) {
        stack.push(new Item(k, it.depth + 1));
      }
    }
    return max;
  }
}
