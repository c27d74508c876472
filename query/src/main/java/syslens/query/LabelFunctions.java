package syslens.query;

import java.util.ArrayList;
import java.util.List;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import syslens.query.Val.Sample;
import syslens.query.Val.Str;
import syslens.query.Val.Vec;
import syslens.query.parser.Expr;
import syslens.storage.Labels;

/**
 * label_replace and label_join. The regex is RE2 (linear time); each input series' result is
 * computed once per query, and the bytes of every label value built count against the query's
 * byte budget before the string is built.
 */
final class LabelFunctions {
  private LabelFunctions() {}

  static Vec labelReplace(Evaluator ev, Expr.Call call, long t) {
    List<Expr> args = call.args();
    Vec in = ev.evalVector(args.get(0), t);
    String dst = str(ev, args.get(1), t);
    String repl = str(ev, args.get(2), t);
    String src = str(ev, args.get(3), t);
    String regex = str(ev, args.get(4), t);
    Pattern p = Functions.anchored(regex, "label_replace");
    if (!Functions.validLabelName(dst)) {
      throw new QueryException(QueryException.Kind.EXECUTION,
          "invalid destination label name in label_replace(): " + dst);
    }
    QueryBudget budget = ev.budget();
    List<Sample> out = new ArrayList<>(in.samples().size());
    for (Sample s : in.samples()) {
      Labels labels = ev.labels().derive(call, s.labels(), l -> {
        Matcher m = p.matcher(l.get(src));
        if (!m.matches()) {
          return l;
        }
        String res = expand(repl, m, budget);
        return res.isEmpty() ? l.toBuilder().remove(dst).build()
            : l.toBuilder().set(dst, res).build();
      });
      out.add(new Sample(labels, s.v(), t));
    }
    return new Vec(out);
  }

  static Vec labelJoin(Evaluator ev, Expr.Call call, long t) {
    List<Expr> args = call.args();
    Vec in = ev.evalVector(args.get(0), t);
    String dst = str(ev, args.get(1), t);
    String sep = str(ev, args.get(2), t);
    List<String> srcs = new ArrayList<>();
    for (int i = 3; i < args.size(); i++) {
      String s = str(ev, args.get(i), t);
      if (!Functions.validLabelName(s)) {
        throw new QueryException(QueryException.Kind.EXECUTION,
            "invalid source label name in label_join(): " + s);
      }
      srcs.add(s);
    }
    if (!Functions.validLabelName(dst)) {
      throw new QueryException(QueryException.Kind.EXECUTION,
          "invalid destination label name in label_join(): " + dst);
    }
    List<Sample> out = new ArrayList<>(in.samples().size());
    QueryBudget budget = ev.budget();
    for (Sample s : in.samples()) {
      Labels labels = ev.labels().derive(call, s.labels(), l -> {
        long len = (long) sep.length() * Math.max(0, srcs.size() - 1);
        for (String src : srcs) {
          len += l.get(src).length();
        }
        checkValueLength("label_join", len);
        budget.addBytes(len);
        List<String> vals = new ArrayList<>(srcs.size());
        for (String src : srcs) {
          vals.add(l.get(src));
        }
        String joined = String.join(sep, vals);
        return joined.isEmpty() ? l.toBuilder().remove(dst).build()
            : l.toBuilder().set(dst, joined).build();
      });
      out.add(new Sample(labels, s.v(), t));
    }
    return new Vec(out);
  }

  private static String str(Evaluator ev, Expr e, long t) {
    return ((Str) ev.eval(e, t)).s();
  }

  /**
   * Go's regexp.Expand: $1, ${1}, $name, ${name}, $$; unknown groups expand to "". The result's
   * length is charged to {@code budget} before the string is built.
   */
  static String expand(String template, Matcher m, QueryBudget budget) {
    long len = expandedLength(template, m);
    checkValueLength("label_replace", len);
    budget.addBytes(len);
    return expand(template, m);
  }

  /** Longest label value a query may build (stored values are at most 2,048 chars). */
  static final int MAX_BUILT_VALUE = 65_536;

  private static void checkValueLength(String function, long len) {
    if (len > MAX_BUILT_VALUE) {
      throw new QueryException(QueryException.Kind.EXECUTION, function + "(): the new label "
          + "value would be " + len + " chars (expected: <= " + MAX_BUILT_VALUE + ")");
    }
  }

  private static long expandedLength(String template, Matcher m) {
    long[] len = new long[1];
    walk(template, m, s -> len[0] += s.length());
    return len[0];
  }

  static String expand(String template, Matcher m) {
    StringBuilder sb = new StringBuilder();
    walk(template, m, sb::append);
    return sb.toString();
  }

  private static void walk(String template, Matcher m,
      java.util.function.Consumer<CharSequence> sink) {
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$' || i + 1 >= template.length()) {
        sink.accept(String.valueOf(c));
        i++;
        continue;
      }
      char n = template.charAt(i + 1);
      if (n == '$') {
        sink.accept("$");
        i += 2;
        continue;
      }
      String name;
      int next;
      if (n == '{') {
        int close = template.indexOf('}', i + 2);
        if (close < 0) {
          sink.accept(String.valueOf(c));
          i++;
          continue;
        }
        name = template.substring(i + 2, close);
        next = close + 1;
      } else {
        int j = i + 1;
        while (j < template.length() && (Character.isLetterOrDigit(template.charAt(j))
            || template.charAt(j) == '_')) {
          j++;
        }
        name = template.substring(i + 1, j);
        next = j;
      }
      if (name.isEmpty()) {
        sink.accept(String.valueOf(c));
        i++;
        continue;
      }
      sink.accept(group(m, name));
      i = next;
    }
  }

  private static String group(Matcher m, String name) {
    String g = null;
    try {
      if (name.chars().allMatch(Character::isDigit)) {
        int idx = Integer.parseInt(name);
        g = idx <= m.groupCount() ? m.group(idx) : null;
      } else {
        g = m.group(name);
      }
    } catch (IllegalArgumentException e) {
      g = null;
    }
    return g == null ? "" : g;
  }
}
