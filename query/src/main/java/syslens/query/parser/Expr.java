package syslens.query.parser;

import java.util.List;
import syslens.storage.Matcher;

/** A node of the PromQL syntax tree. {@link #pos()} is the offset of its first character. */
public sealed interface Expr {
  ValueType type();

  int pos();

  /** A number literal: {@code 1}, {@code 0x1f}, {@code 1e3}, {@code Inf}, {@code NaN}. */
  record NumberLiteral(double value, int pos) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.SCALAR;
    }
  }

  /** A string literal, escapes already decoded. */
  record StringLiteral(String value, int pos) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.STRING;
    }
  }

  /** The {@code @} modifier: a fixed time, or the query's start or end. */
  record At(Kind kind, long timeMs) {
    public enum Kind { TIME, START, END }
  }

  /**
   * {@code name{matchers} offset d @ t}: matchers include the name matcher when a name was
   * given. {@code at} is null without an {@code @} modifier.
   */
  record VectorSelector(String name, List<Matcher> matchers, long offsetMs, At at, int pos)
      implements Expr {
    public VectorSelector {
      matchers = List.copyOf(matchers);
    }

    @Override
    public ValueType type() {
      return ValueType.VECTOR;
    }

    VectorSelector withOffset(long offset) {
      return new VectorSelector(name, matchers, offset, at, pos);
    }

    VectorSelector withAt(At a) {
      return new VectorSelector(name, matchers, offsetMs, a, pos);
    }
  }

  /** {@code selector[range]}; offset and {@code @} live on the inner selector. */
  record MatrixSelector(VectorSelector selector, long rangeMs, int pos) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.MATRIX;
    }
  }

  /** {@code expr[range:step]} (step 0 = the default resolution). Parsed, not yet evaluated. */
  record SubqueryExpr(Expr expr, long rangeMs, long stepMs, long offsetMs, At at, int pos)
      implements Expr {
    @Override
    public ValueType type() {
      return ValueType.MATRIX;
    }
  }

  /** A function call. */
  record Call(Function function, List<Expr> args, int pos) implements Expr {
    public Call {
      args = List.copyOf(args);
    }

    @Override
    public ValueType type() {
      return function.returnType();
    }
  }

  /** {@code op by|without (grouping) ([param,] expr)}. {@code param} is null when absent. */
  record AggregateExpr(TokenType op, Expr expr, Expr param, List<String> grouping,
      boolean without, int pos) implements Expr {
    public AggregateExpr {
      grouping = List.copyOf(grouping);
    }

    @Override
    public ValueType type() {
      return ValueType.VECTOR;
    }
  }

  /** How vector/vector operands are matched; null on a binary expression with a scalar side. */
  record VectorMatching(Cardinality card, List<String> matchingLabels, boolean on,
      List<String> include) {
    public enum Cardinality { ONE_TO_ONE, MANY_TO_ONE, ONE_TO_MANY, MANY_TO_MANY }

    public VectorMatching {
      matchingLabels = List.copyOf(matchingLabels);
      include = List.copyOf(include);
    }
  }

  /** {@code lhs op [bool] [on|ignoring(...)] [group_left|group_right(...)] rhs}. */
  record BinaryExpr(TokenType op, Expr lhs, Expr rhs, VectorMatching matching,
      boolean returnBool) implements Expr {
    @Override
    public ValueType type() {
      return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR
          ? ValueType.SCALAR : ValueType.VECTOR;
    }

    @Override
    public int pos() {
      return lhs.pos();
    }
  }

  /** {@code -expr} or {@code +expr}. */
  record UnaryExpr(TokenType op, Expr expr, int pos) implements Expr {
    @Override
    public ValueType type() {
      return expr.type();
    }
  }

  /** {@code (expr)}. */
  record ParenExpr(Expr expr, int pos) implements Expr {
    @Override
    public ValueType type() {
      return expr.type();
    }
  }
}
