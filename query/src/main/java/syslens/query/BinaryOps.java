package syslens.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import syslens.query.Val.Sample;
import syslens.query.Val.Sca;
import syslens.query.Val.Vec;
import syslens.query.parser.Expr.BinaryExpr;
import syslens.query.parser.Expr.VectorMatching;
import syslens.query.parser.Expr.VectorMatching.Cardinality;
import syslens.query.parser.TokenType;
import syslens.storage.Labels;

/** Binary operators with Prometheus 2.42's matching rules and value semantics. */
final class BinaryOps {
  private BinaryOps() {}

  static Val eval(Evaluator ev, BinaryExpr b, long t) {
    Val l = ev.eval(b.lhs(), t);
    Val r = ev.eval(b.rhs(), t);
    TokenType op = b.op();
    if (l instanceof Sca ls && r instanceof Sca rs) {
      double v = apply(op, ls.v(), rs.v());
      if (op.isComparison()) {
        v = compare(op, ls.v(), rs.v()) ? 1 : 0;
      }
      return new Sca(v);
    }
    if (l instanceof Vec lv && r instanceof Sca rs) {
      return vectorScalar(ev.labels(), op, lv, rs.v(), false, b.returnBool(), t);
    }
    if (l instanceof Sca ls && r instanceof Vec rv) {
      return vectorScalar(ev.labels(), op, rv, ls.v(), true, b.returnBool(), t);
    }
    Vec lv = (Vec) l;
    Vec rv = (Vec) r;
    return switch (op) {
      case LAND -> and(ev.labels(), lv, rv, b.matching());
      case LOR -> or(ev.labels(), lv, rv, b.matching());
      case LUNLESS -> unless(ev.labels(), lv, rv, b.matching());
      default -> vectorVector(ev.labels(), b, lv, rv, t);
    };
  }

  /** The arithmetic result; for comparisons the left value (kept or dropped by compare()). */
  static double apply(TokenType op, double l, double r) {
    return switch (op) {
      case ADD -> l + r;
      case SUB -> l - r;
      case MUL -> l * r;
      case DIV -> l / r;
      case MOD -> l % r;
      case POW -> pow(l, r);
      case ATAN2 -> Math.atan2(l, r);
      default -> l;
    };
  }

  /** Go's math.Pow special cases where Java's differs. */
  private static double pow(double x, double y) {
    if (y == 0 || x == 1) {
      return 1;
    }
    if (x == -1 && Double.isInfinite(y)) {
      return 1;
    }
    return Math.pow(x, y);
  }

  static boolean compare(TokenType op, double l, double r) {
    return switch (op) {
      case EQL -> l == r;
      case NEQ -> l != r;
      case GTR -> l > r;
      case LSS -> l < r;
      case GTE -> l >= r;
      case LTE -> l <= r;
      default -> true;
    };
  }

  /** As in Prometheus 2.42, atan2 keeps the metric name. */
  private static boolean dropsName(TokenType op) {
    return switch (op) {
      case ADD, SUB, MUL, DIV, MOD, POW -> true;
      default -> false;
    };
  }

  private static Vec vectorScalar(LabelCache cache, TokenType op, Vec vec, double scalar,
      boolean swap, boolean returnBool, long t) {
    List<Sample> out = new ArrayList<>(vec.samples().size());
    for (Sample s : vec.samples()) {
      double lv = swap ? scalar : s.v();
      double rv = swap ? s.v() : scalar;
      double value = apply(op, lv, rv);
      boolean keep = compare(op, lv, rv);
      if (op.isComparison() && swap) {
        value = rv;
      }
      if (returnBool) {
        value = keep ? 1 : 0;
        keep = true;
      }
      if (keep) {
        Labels labels = dropsName(op) || returnBool ? cache.withoutName(s.labels()) : s.labels();
        out.add(new Sample(labels, value, t));
      }
    }
    return new Vec(out);
  }

  /** {@link #signature(Labels, VectorMatching)}, once per query for each series and matching. */
  private static Labels signature(LabelCache cache, Labels l, VectorMatching m) {
    return cache.derive(m, l, x -> signature(x, m));
  }

  /** The matching signature: on(...) keeps the listed labels, else drops them and the name. */
  static Labels signature(Labels l, VectorMatching m) {
    if (m.on()) {
      return l.keep(m.matchingLabels());
    }
    List<String> drop = new ArrayList<>(m.matchingLabels());
    drop.add(Labels.METRIC_NAME);
    return l.drop(drop);
  }

  private static Vec vectorVector(LabelCache cache, BinaryExpr b, Vec lhs, Vec rhs, long t) {
    TokenType op = b.op();
    VectorMatching m = b.matching();
    boolean returnBool = b.returnBool();
    boolean oneToMany = m.card() == Cardinality.ONE_TO_MANY;
    if (oneToMany) {
      Vec tmp = lhs;
      lhs = rhs;
      rhs = tmp;
    }
    Map<Labels, Sample> right = new HashMap<>();
    for (Sample rs : rhs.samples()) {
      Labels sig = signature(cache, rs.labels(), m);
      Sample dup = right.put(sig, rs);
      if (dup != null) {
        throw new QueryException(QueryException.Kind.EXECUTION,
            "found duplicate series for the match group " + PromFormat.labels(sig) + " on the "
                + (oneToMany ? "left" : "right") + " hand-side of the operation: ["
                + PromFormat.labels(rs.labels()) + ", " + PromFormat.labels(dup.labels())
                + "];many-to-many matching not allowed: matching labels must be unique on one side");
      }
    }
    Map<Labels, Set<Labels>> matched = new HashMap<>();
    List<Sample> out = new ArrayList<>();
    for (Sample ls : lhs.samples()) {
      Labels sig = signature(cache, ls.labels(), m);
      Sample rs = right.get(sig);
      if (rs == null) {
        continue;
      }
      double vl = oneToMany ? rs.v() : ls.v();
      double vr = oneToMany ? ls.v() : rs.v();
      double value = apply(op, vl, vr);
      boolean keep = compare(op, vl, vr);
      if (returnBool) {
        value = keep ? 1 : 0;
      } else if (!keep) {
        continue;
      }
      Labels metric;
      if (m.include().isEmpty()) {
        // Depends on the left series only: computed once per query.
        metric = cache.derive(b, ls.labels(), l -> {
          Labels r = resultMetric(l, Labels.empty(), op, m);
          return returnBool ? r.withoutMetricName() : r;
        });
      } else {
        metric = resultMetric(ls.labels(), rs.labels(), op, m);
        if (returnBool) {
          metric = metric.withoutMetricName();
        }
      }
      if (m.card() == Cardinality.ONE_TO_ONE) {
        if (matched.containsKey(sig)) {
          throw new QueryException(QueryException.Kind.EXECUTION, "multiple matches for labels: "
              + "many-to-one matching must be explicit (group_left/group_right)");
        }
        matched.put(sig, Set.of());
      } else {
        Set<Labels> inserted = matched.computeIfAbsent(sig, k -> new HashSet<>());
        if (!inserted.add(metric)) {
          throw new QueryException(QueryException.Kind.EXECUTION,
              "multiple matches for labels: grouping labels must ensure unique matches");
        }
      }
      out.add(new Sample(metric, value, t));
    }
    return new Vec(out);
  }

  /**
   * An arithmetic operation over operands evaluated at every step (rows of {@link Columns}, or a
   * number when {@code scalar} is non-null for that side), one output row per matched pair, in the
   * order the per-step evaluation gives. Null when the per-step evaluation must decide (a
   * comparison, {@code bool}, set operators, group modifiers, or a match group that is not unique
   * across the rows of one side, which may or may not meet at one step).
   */
  static Columns columns(Evaluator ev, BinaryExpr b, Columns l, Double ls, Columns r, Double rs) {
    TokenType op = b.op();
    boolean arithmetic = switch (op) {
      case ADD, SUB, MUL, DIV, MOD, POW, ATAN2 -> true;
      default -> false;
    };
    if (!arithmetic || b.returnBool()) {
      return null;
    }
    if (l == null || r == null) {
      Columns vec = l != null ? l : r;
      double scalar = l != null ? rs : ls;
      boolean swap = l == null;
      List<Columns.Row> out = new ArrayList<>(vec.rows.size());
      Set<Labels> results = new HashSet<>();
      for (Columns.Row row : vec.rows) {
        Labels metric = dropsName(op) ? row.labels.withoutMetricName() : row.labels;
        if (!results.add(metric)) {
          return null; // two names dropped to one label set: the per-step check decides
        }
        Columns.Row o = new Columns.Row(metric, vec.grid.steps());
        for (int k = 0; k < row.v.length; k++) {
          if (row.has(k)) {
            o.set(k, swap ? apply(op, scalar, row.v[k]) : apply(op, row.v[k], scalar));
          }
        }
        ev.budget().addSamples(o.count());
        out.add(o);
      }
      return new Columns(vec.grid, out);
    }
    VectorMatching m = b.matching();
    if (m.card() != Cardinality.ONE_TO_ONE || !m.include().isEmpty()) {
      return null;
    }
    Map<Labels, Columns.Row> right = new HashMap<>();
    for (Columns.Row row : r.rows) {
      if (right.put(signature(row.labels, m), row) != null) {
        return null;
      }
    }
    Set<Labels> matched = new HashSet<>();
    Set<Labels> results = new HashSet<>();
    List<Columns.Row> out = new ArrayList<>();
    for (Columns.Row lrow : l.rows) {
      Labels sig = signature(lrow.labels, m);
      Columns.Row rrow = right.get(sig);
      if (rrow == null) {
        continue;
      }
      Labels metric = resultMetric(lrow.labels, Labels.empty(), op, m);
      if (!matched.add(sig) || !results.add(metric)) {
        return null;
      }
      Columns.Row o = new Columns.Row(metric, l.grid.steps());
      for (int k = 0; k < lrow.v.length; k++) {
        if (lrow.has(k) && rrow.has(k)) {
          o.set(k, apply(op, lrow.v[k], rrow.v[k]));
        }
      }
      ev.budget().addSamples(o.count());
      ev.budget().tick();
      out.add(o);
    }
    return new Columns(l.grid, out);
  }

  private static Labels resultMetric(Labels lhs, Labels rhs, TokenType op, VectorMatching m) {
    Labels.Builder b = lhs.toBuilder();
    if (dropsName(op)) {
      b.remove(Labels.METRIC_NAME);
    }
    if (m.card() == Cardinality.ONE_TO_ONE) {
      if (m.on()) {
        Labels kept = b.build().keep(m.matchingLabels());
        b = kept.toBuilder();
      } else {
        for (String l : m.matchingLabels()) {
          b.remove(l);
        }
      }
    }
    for (String l : m.include()) {
      b.set(l, rhs.get(l));
    }
    return b.build();
  }

  private static Vec and(LabelCache cache, Vec lhs, Vec rhs, VectorMatching m) {
    Set<Labels> right = new HashSet<>();
    for (Sample s : rhs.samples()) {
      right.add(signature(cache, s.labels(), m));
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : lhs.samples()) {
      if (right.contains(signature(cache, s.labels(), m))) {
        out.add(s);
      }
    }
    return new Vec(out);
  }

  private static Vec or(LabelCache cache, Vec lhs, Vec rhs, VectorMatching m) {
    Set<Labels> left = new HashSet<>();
    List<Sample> out = new ArrayList<>();
    for (Sample s : lhs.samples()) {
      left.add(signature(cache, s.labels(), m));
      out.add(s);
    }
    for (Sample s : rhs.samples()) {
      if (!left.contains(signature(cache, s.labels(), m))) {
        out.add(s);
      }
    }
    return new Vec(out);
  }

  private static Vec unless(LabelCache cache, Vec lhs, Vec rhs, VectorMatching m) {
    Set<Labels> right = new HashSet<>();
    for (Sample s : rhs.samples()) {
      right.add(signature(cache, s.labels(), m));
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : lhs.samples()) {
      if (!right.contains(signature(cache, s.labels(), m))) {
        out.add(s);
      }
    }
    return new Vec(out);
  }
}
