package syslens.query;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import syslens.query.Val.Sample;
import syslens.query.Val.Str;
import syslens.query.Val.Vec;
import syslens.query.parser.Expr;
import syslens.storage.Labels;

/** label_replace and label_join. */
final class LabelFunctions {
  private LabelFunctions() {}

  static Vec labelReplace(Evaluator ev, List<Expr> args, long t) {
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
    List<Sample> out = new ArrayList<>();
    for (Sample s : in.samples()) {
      Matcher m = p.matcher(s.labels().get(src));
      Labels labels = s.labels();
      if (m.matches()) {
        String res = expand(repl, m);
        labels = labels.toBuilder().set(dst, res).build();
      }
      out.add(new Sample(labels, s.v(), t));
    }
    return new Vec(out);
  }

  static Vec labelJoin(Evaluator ev, List<Expr> args, long t) {
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
    List<Sample> out = new ArrayList<>();
    for (Sample s : in.samples()) {
      List<String> vals = new ArrayList<>();
      for (String src : srcs) {
        vals.add(s.labels().get(src));
      }
      out.add(new Sample(s.labels().toBuilder().set(dst, String.join(sep, vals)).build(), s.v(),
          t));
    }
    return new Vec(out);
  }

  private static String str(Evaluator ev, Expr e, long t) {
    return ((Str) ev.eval(e, t)).s();
  }

  /** Go's regexp.Expand: $1, ${1}, $name, ${name}, $$; unknown groups expand to "". */
  static String expand(String template, Matcher m) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$' || i + 1 >= template.length()) {
        sb.append(c);
        i++;
        continue;
      }
      char n = template.charAt(i + 1);
      if (n == '$') {
        sb.append('$');
        i += 2;
        continue;
      }
      String name;
      int next;
      if (n == '{') {
        int close = template.indexOf('}', i + 2);
        if (close < 0) {
          sb.append(c);
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
        sb.append(c);
        i++;
        continue;
      }
      sb.append(group(m, name));
      i = next;
    }
    return sb.toString();
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
