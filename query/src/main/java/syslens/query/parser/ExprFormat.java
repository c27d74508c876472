package syslens.query.parser;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import syslens.storage.Labels;
import syslens.storage.Matcher;

/**
 * The canonical text of an expression, as Prometheus 2.42's {@code Expr.String()} writes it (and
 * {@code /api/v1/format_query} returns for expressions that fit on one line): {@code sum by (a)
 * (rate(x{b="c"}[5m]))}, label matchers sorted, durations in Prometheus' units, numbers in
 * shortest form.
 */
public final class ExprFormat {
  private ExprFormat() {}

  /** The canonical text of {@code e}. */
  public static String format(Expr e) {
    StringBuilder sb = new StringBuilder();
    write(e, sb);
    return sb.toString();
  }

  /** Prometheus' prettifier keeps an expression on one line up to this many bytes. */
  static final int MAX_LINE = 100;

  /**
   * The text {@code /api/v1/format_query} answers, as Prometheus 2.42's {@code Prettify}: the
   * canonical text when it fits in {@value #MAX_LINE} bytes, else aggregations, calls, binary
   * operators and parentheses split over lines indented by two spaces a level.
   */
  public static String pretty(Expr e) {
    return pretty(e, 0);
  }

  private static String pretty(Expr e, int level) {
    String ind = "  ".repeat(level);
    String flat = format(e);
    boolean split = flat.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LINE;
    return switch (e) {
      case Expr.AggregateExpr a when split -> {
        StringBuilder sb = new StringBuilder(ind);
        aggregateOp(a, sb);
        sb.append("(\n");
        if (a.param() != null) {
          sb.append(pretty(a.param(), level + 1)).append(",\n");
        }
        yield sb.append(pretty(a.expr(), level + 1)).append('\n').append(ind).append(')').toString();
      }
      case Expr.BinaryExpr b when split -> {
        StringBuilder op = new StringBuilder(b.op().text());
        if (b.returnBool()) {
          op.append(" bool");
        }
        matching(b.matching(), op);
        yield pretty(b.lhs(), level + 1) + "\n" + ind + op + "\n" + pretty(b.rhs(), level + 1);
      }
      case Expr.Call c when split -> {
        StringBuilder sb = new StringBuilder(ind).append(c.function().name()).append("(\n");
        for (int i = 0; i < c.args().size(); i++) {
          sb.append(i > 0 ? ",\n" : "").append(pretty(c.args().get(i), level + 1));
        }
        yield sb.append('\n').append(ind).append(')').toString();
      }
      case Expr.ParenExpr p when split -> ind + "(\n" + pretty(p.expr(), level + 1) + "\n" + ind + ")";
      case Expr.SubqueryExpr sq -> {
        if (!split) {
          yield flat; // Prometheus indents no unsplit subquery
        }
        StringBuilder suffix = new StringBuilder();
        subquerySuffix(sq, suffix);
        yield pretty(sq.expr(), level) + suffix;
      }
      case Expr.UnaryExpr u -> ind + u.op().text() + pretty(u.expr(), level).strip();
      default -> ind + flat;
    };
  }

  /** {@code sum}, {@code sum by (a) }, {@code sum without (a) }: Prometheus' getAggOpStr. */
  private static void aggregateOp(Expr.AggregateExpr a, StringBuilder sb) {
    sb.append(a.op().text());
    if (a.without()) {
      sb.append(" without (").append(String.join(", ", a.grouping())).append(") ");
    } else if (!a.grouping().isEmpty()) {
      sb.append(" by (").append(String.join(", ", a.grouping())).append(") ");
    }
  }

  private static void subquerySuffix(Expr.SubqueryExpr s, StringBuilder sb) {
    sb.append('[').append(duration(s.rangeMs())).append(':');
    if (s.stepMs() != 0) {
      sb.append(duration(s.stepMs()));
    }
    sb.append(']');
    modifiers(s.at(), s.offsetMs(), sb);
  }

  private static void matching(Expr.VectorMatching m, StringBuilder sb) {
    if (m != null && (!m.matchingLabels().isEmpty() || m.on())) {
      sb.append(m.on() ? " on (" : " ignoring (").append(String.join(", ", m.matchingLabels())).append(')');
      if (m.card() == Expr.VectorMatching.Cardinality.MANY_TO_ONE
          || m.card() == Expr.VectorMatching.Cardinality.ONE_TO_MANY) {
        sb.append(m.card() == Expr.VectorMatching.Cardinality.MANY_TO_ONE ? " group_left (" : " group_right (")
            .append(String.join(", ", m.include())).append(')');
      }
    }
  }

  private static void write(Expr e, StringBuilder sb) {
    switch (e) {
      case Expr.NumberLiteral n -> sb.append(number(n.value()));
      case Expr.StringLiteral s -> sb.append(quote(s.value()));
      case Expr.VectorSelector v -> {
        selector(v, sb);
        modifiers(v.at(), v.offsetMs(), sb);
      }
      case Expr.MatrixSelector m -> {
        selector(m.selector(), sb);
        sb.append('[').append(duration(m.rangeMs())).append(']');
        modifiers(m.selector().at(), m.selector().offsetMs(), sb);
      }
      case Expr.SubqueryExpr s -> {
        write(s.expr(), sb);
        subquerySuffix(s, sb);
      }
      case Expr.Call c -> {
        sb.append(c.function().name()).append('(');
        list(c.args(), sb);
        sb.append(')');
      }
      case Expr.AggregateExpr a -> {
        aggregateOp(a, sb);
        sb.append('(');
        if (a.param() != null) {
          write(a.param(), sb);
          sb.append(", ");
        }
        write(a.expr(), sb);
        sb.append(')');
      }
      case Expr.BinaryExpr b -> {
        write(b.lhs(), sb);
        sb.append(' ').append(b.op().text());
        if (b.returnBool()) {
          sb.append(" bool");
        }
        matching(b.matching(), sb);
        sb.append(' ');
        write(b.rhs(), sb);
      }
      case Expr.UnaryExpr u -> {
        sb.append(u.op().text());
        write(u.expr(), sb);
      }
      case Expr.ParenExpr p -> {
        sb.append('(');
        write(p.expr(), sb);
        sb.append(')');
      }
    }
  }

  private static void list(List<Expr> args, StringBuilder sb) {
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      write(args.get(i), sb);
    }
  }

  private static void selector(Expr.VectorSelector v, StringBuilder sb) {
    List<String> parts = new ArrayList<>();
    for (Matcher m : v.matchers()) {
      if (m.name().equals(Labels.METRIC_NAME) && m.type() == Matcher.Type.EQUAL && m.value().equals(v.name())) {
        continue;
      }
      parts.add(m.name() + m.type().op() + quote(m.value()));
    }
    if (v.name() != null) {
      sb.append(v.name());
    }
    if (!parts.isEmpty()) {
      parts.sort(null);
      sb.append('{').append(String.join(",", parts)).append('}');
    }
  }

  /** {@code @} before {@code offset}, as Prometheus prints them. */
  private static void modifiers(Expr.At at, long offsetMs, StringBuilder sb) {
    if (at != null) {
      switch (at.kind()) {
        case START -> sb.append(" @ start()");
        case END -> sb.append(" @ end()");
        case TIME -> sb.append(" @ ").append(BigDecimal.valueOf(at.timeMs(), 3).toPlainString());
      }
    }
    if (offsetMs > 0) {
      sb.append(" offset ").append(duration(offsetMs));
    } else if (offsetMs < 0) {
      sb.append(" offset -").append(duration(-offsetMs));
    }
  }

  /** Prometheus' model.Duration.String(): {@code 1h30m}, {@code 5m}, {@code 1y2w}, {@code 0s}. */
  public static String duration(long ms) {
    if (ms == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long[] unit = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1};
    String[] name = {"y", "w", "d", "h", "m", "s", "ms"};
    long rest = ms;
    for (int i = 0; i < unit.length; i++) {
      if (i < 2 && rest % unit[i] != 0) {
        continue; // years and weeks only when exact, as Prometheus prints 90d rather than 12w6d
      }
      long n = rest / unit[i];
      if (n > 0) {
        sb.append(n).append(name[i]);
        rest -= n * unit[i];
      }
    }
    return sb.toString();
  }

  /**
   * Go's {@code %v} of a float64, as Prometheus prints number literals: shortest digits, in
   * exponent form when the exponent is below -4 or at least 6 ({@code 1e+09}, {@code 1.5e-05}),
   * else plain ({@code 100000}, {@code 0.001}).
   */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return 1 / v < 0 ? "-0" : "0";
    }
    BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
    String digits = d.unscaledValue().toString();
    int exp = digits.length() - d.scale() - 1;
    StringBuilder sb = new StringBuilder(v < 0 ? "-" : "");
    if (exp < -4 || exp >= 6) {
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exp < 0 ? '-' : '+');
      int e = Math.abs(exp);
      return sb.append(e < 10 ? "0" : "").append(e).toString();
    }
    return sb.append(d.toPlainString()).toString();
  }

  /** Go's strconv.Quote. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    s.codePoints().forEach(c -> {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case 7 -> sb.append("\\a");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case 11 -> sb.append("\\v");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format(Locale.ROOT, "\\x%02x", c));
          } else if (Character.isISOControl(c) || !Character.isDefined(c)) {
            sb.append(c > 0xffff ? String.format(Locale.ROOT, "\\U%08x", c) : String.format(Locale.ROOT, "\\u%04x", c));
          } else {
            sb.appendCodePoint(c);
          }
        }
      }
    });
    return sb.append('"').toString();
  }
}
