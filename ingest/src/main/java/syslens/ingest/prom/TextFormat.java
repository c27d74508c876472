package syslens.ingest.prom;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.ingest.SeriesInput;

/**
 * Reads Prometheus' text exposition format 0.0.4: {@code name{label="value",...} value
 * [timestamp_ms]} per line, {@code #} comments (HELP, TYPE) and blank lines skipped. Samples
 * without a timestamp take the default one. Every line is checked before anything is stored;
 * errors name the line (1-based) and what was expected, up to {@value #MAX_ERRORS} of them.
 */
public final class TextFormat {
  static final int MAX_ERRORS = 10;

  private TextFormat() {}

  /** Parses {@code text}; each sample becomes one entry of the returned batch, in line order. */
  public static SeriesInput parse(String text, long defaultTimestampMs) throws FormatException {
    Parser p = new Parser(text, defaultTimestampMs);
    p.run();
    if (!p.errors.isEmpty()) {
      throw new FormatException(String.join("; ", p.errors)
          + (p.errorCount > MAX_ERRORS ? "; ... " + (p.errorCount - MAX_ERRORS) + " more" : ""));
    }
    return p.input();
  }

  private static final class Parser {
    private final String s;
    private final long defaultTs;
    private int pos;
    private int line;
    final List<String> errors = new ArrayList<>();
    int errorCount;
    /** Unique series: raw text -> index. */
    private final Map<String, Integer> index = new HashMap<>();
    private final List<String[]> series = new ArrayList<>();
    private int[] ref = new int[1024];
    private long[] ts = new long[1024];
    private double[] vs = new double[1024];
    private int n;

    Parser(String s, long defaultTs) {
      this.s = s;
      this.defaultTs = defaultTs;
    }

    void run() {
      int len = s.length();
      while (pos < len) {
        line++;
        int end = s.indexOf('\n', pos);
        if (end < 0) {
          end = len;
        }
        try {
          line(end);
        } catch (LineError e) {
          if (errorCount++ < MAX_ERRORS) {
            errors.add("line " + line + ": " + e.getMessage());
          }
        }
        pos = end + 1;
      }
    }

    private void line(int end) {
      int i = skipBlank(pos, end);
      if (i == end || s.charAt(i) == '#' || (i == end - 1 && s.charAt(i) == '\r')) {
        return;
      }
      int nameStart = i;
      while (i < end && isNameChar(s.charAt(i), i == nameStart)) {
        i++;
      }
      if (i == nameStart) {
        throw new LineError("metric name expected at column " + (i - pos + 1)
            + " (expected: [a-zA-Z_:][a-zA-Z0-9_:]*)");
      }
      List<String> kv = new ArrayList<>(8);
      kv.add("__name__");
      kv.add(s.substring(nameStart, i));
      if (i < end && s.charAt(i) == '{') {
        i = labels(i + 1, end, kv);
      }
      String key = s.substring(nameStart, i);
      i = skipBlank(i, end);
      int valueStart = i;
      while (i < end && !isBlank(s.charAt(i))) {
        i++;
      }
      if (i == valueStart) {
        throw new LineError("value missing after " + abbreviate(key) + " (expected: a number, NaN, +Inf or -Inf)");
      }
      double v = value(s.substring(valueStart, i));
      i = skipBlank(i, end);
      long t = defaultTs;
      if (i < end) {
        int tsStart = i;
        while (i < end && !isBlank(s.charAt(i))) {
          i++;
        }
        String tsText = s.substring(tsStart, i);
        try {
          t = Long.parseLong(tsText);
        } catch (NumberFormatException e) {
          throw new LineError("timestamp \"" + abbreviate(tsText) + "\" (expected: integer milliseconds since the epoch)");
        }
        if (skipBlank(i, end) != end) {
          throw new LineError("unexpected text after the timestamp at column " + (skipBlank(i, end) - pos + 1)
              + " (expected: end of line)");
        }
      }
      Integer r = index.get(key);
      if (r == null) {
        check(kv);
        r = series.size();
        index.put(key, r);
        series.add(kv.toArray(new String[0]));
      }
      add(r, t, v);
    }

    /** Parses {@code name="value",...}} from {@code i}; returns the index after the brace. */
    private int labels(int i, int end, List<String> kv) {
      while (true) {
        i = skipBlank(i, end);
        if (i < end && s.charAt(i) == '}') {
          return i + 1;
        }
        int ns = i;
        while (i < end && isLabelChar(s.charAt(i), i == ns)) {
          i++;
        }
        if (i == ns) {
          throw new LineError("label name expected at column " + (i - pos + 1) + " (expected: [a-zA-Z_][a-zA-Z0-9_]*)");
        }
        String name = s.substring(ns, i);
        i = skipBlank(i, end);
        if (i >= end || s.charAt(i) != '=') {
          throw new LineError("'=' expected after label name \"" + abbreviate(name) + "\" at column " + (i - pos + 1));
        }
        i = skipBlank(i + 1, end);
        if (i >= end || s.charAt(i) != '"') {
          throw new LineError("'\"' expected to open the value of label \"" + abbreviate(name) + "\" at column "
              + (i - pos + 1));
        }
        StringBuilder v = new StringBuilder();
        i++;
        while (true) {
          if (i >= end) {
            throw new LineError("value of label \"" + abbreviate(name) + "\" not closed (expected: a closing '\"')");
          }
          char c = s.charAt(i++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            if (i >= end) {
              throw new LineError("escape at end of line in label \"" + abbreviate(name) + "\"");
            }
            char e = s.charAt(i++);
            switch (e) {
              case '\\' -> v.append('\\');
              case '"' -> v.append('"');
              case 'n' -> v.append('\n');
              default -> throw new LineError("escape \\" + e + " in label \"" + abbreviate(name)
                  + "\" (expected: \\\\, \\\" or \\n)");
            }
          } else {
            v.append(c);
          }
        }
        kv.add(name);
        kv.add(v.toString());
        i = skipBlank(i, end);
        if (i < end && s.charAt(i) == ',') {
          i++;
        } else if (i >= end || s.charAt(i) != '}') {
          throw new LineError("',' or '}' expected after the value of label \"" + abbreviate(name) + "\" at column "
              + (i - pos + 1));
        }
      }
    }

    /** The checks the pipeline makes too, here so that the error names the line. */
    private static void check(List<String> kv) {
      java.util.Set<String> names = new java.util.HashSet<>();
      syslens.storage.Labels.Builder b = syslens.storage.Labels.builder();
      for (int k = 0; k < kv.size(); k += 2) {
        String problem = syslens.ingest.ReservedLabels.problem(kv.get(k));
        if (problem != null) {
          throw new LineError(problem);
        }
        if (!names.add(kv.get(k))) {
          throw new LineError("duplicate label name \"" + abbreviate(kv.get(k)) + "\" (expected: each name once)");
        }
        b.set(kv.get(k), kv.get(k + 1));
      }
      String problem = syslens.storage.LabelRules.validate(b.build());
      if (problem != null) {
        throw new LineError(problem);
      }
    }

    /** A decimal number as Prometheus writes one (no hex, no Java suffixes such as "1d"). */
    private static final java.util.regex.Pattern NUMBER =
        java.util.regex.Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private static double value(String t) {
      switch (t) {
        case "NaN", "nan" -> {
          return Double.NaN;
        }
        case "+Inf", "Inf", "+inf", "inf" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-Inf", "-inf" -> {
          return Double.NEGATIVE_INFINITY;
        }
        default -> { }
      }
      if (!NUMBER.matcher(t).matches()) {
        throw new LineError("value \"" + abbreviate(t) + "\" (expected: a number, NaN, +Inf or -Inf)");
      }
      return Double.parseDouble(t);
    }

    private void add(int r, long t, double v) {
      if (n == ref.length) {
        int cap = n * 2;
        ref = Arrays.copyOf(ref, cap);
        ts = Arrays.copyOf(ts, cap);
        vs = Arrays.copyOf(vs, cap);
      }
      ref[n] = r;
      ts[n] = t;
      vs[n] = v;
      n++;
    }

    SeriesInput input() {
      return new Input(series, ref, ts, vs, n);
    }

    private int skipBlank(int i, int end) {
      while (i < end && isBlank(s.charAt(i))) {
        i++;
      }
      return i;
    }

    private static boolean isBlank(char c) {
      return c == ' ' || c == '\t' || c == '\r';
    }

    private static boolean isNameChar(char c, boolean first) {
      return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || !first && c >= '0' && c <= '9';
    }

    private static boolean isLabelChar(char c, boolean first) {
      return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || !first && c >= '0' && c <= '9';
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  /** One line's message, caught per line. */
  private static final class LineError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LineError(String message) {
      super(message, null, false, false);
    }
  }

  /** Each sample as an entry of its own; entries of one series share a cache key. */
  private record Input(List<String[]> series, int[] ref, long[] ts, double[] vs, int n) implements SeriesInput {
    @Override
    public int seriesCount() {
      return n;
    }

    @Override
    public Object key(int i) {
      return ref[i];
    }

    @Override
    public int labelCount(int i) {
      return series.get(ref[i]).length / 2;
    }

    @Override
    public String labelName(int i, int label) {
      return series.get(ref[i])[2 * label];
    }

    @Override
    public String labelValue(int i, int label) {
      return series.get(ref[i])[2 * label + 1];
    }

    @Override
    public int sampleCount(int i) {
      return 1;
    }

    @Override
    public long timestamp(int i, int sample) {
      return ts[i];
    }

    @Override
    public double value(int i, int sample) {
      return vs[i];
    }
  }
}
