package syslens.query.parser;

import java.util.ArrayList;
import java.util.List;

/**
 * A query text with the string after each {@code =} or {@code !=} masked to {@code ""} (regex
 * values, function arguments and everything else kept): {@code up{instance="a"}} and
 * {@code up{instance="b"}} share the shape {@code up{instance=""}}, as one dashboard panel asked
 * for another host. {@link #literals()} are the masked literals as written (quotes included),
 * in the order of the text.
 */
public record QueryShape(String text, List<String> literals) {
  public QueryShape {
    literals = List.copyOf(literals);
  }

  /** The shape of {@code q} (a plain scan of the text: no lexing, no error on bad input). */
  public static QueryShape of(String q) {
    StringBuilder out = new StringBuilder(q.length());
    List<String> literals = new ArrayList<>(4);
    int i = 0;
    int n = q.length();
    while (i < n) {
      char c = q.charAt(i);
      if (c != '"' && c != '\'' && c != '`') {
        out.append(c);
        i++;
        continue;
      }
      int end = stringEnd(q, i);
      if (afterEquality(out)) {
        out.append(c).append(c);
        literals.add(q.substring(i, end));
      } else {
        out.append(q, i, end);
      }
      i = end;
    }
    return new QueryShape(out.toString(), literals);
  }

  /** The index after the string literal starting at {@code start} (or the end of the text). */
  private static int stringEnd(String q, int start) {
    char quote = q.charAt(start);
    int i = start + 1;
    while (i < q.length()) {
      char c = q.charAt(i);
      if (c == '\\' && quote != '`') {
        i += 2;
        continue;
      }
      i++;
      if (c == quote) {
        break;
      }
    }
    return Math.min(i, q.length());
  }

  /** True when the text so far ends with {@code =} or {@code !=} (then spaces), not {@code =~}/{@code !~}. */
  private static boolean afterEquality(CharSequence s) {
    int i = s.length() - 1;
    while (i >= 0 && Character.isWhitespace(s.charAt(i))) {
      i--;
    }
    return i >= 0 && s.charAt(i) == '=';
  }
}
