package syslens.query.parser;

import static syslens.query.parser.ValueType.MATRIX;
import static syslens.query.parser.ValueType.SCALAR;
import static syslens.query.parser.ValueType.STRING;
import static syslens.query.parser.ValueType.VECTOR;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A PromQL function's signature. {@code variadic}: 0 = exactly the listed arguments; n > 0 = the
 * last argument is optional and may repeat up to n times; -1 = the last may repeat without limit
 * (Prometheus' convention). The table is Prometheus 2.42's, so every known name parses; which
 * ones the evaluator supports is a separate question.
 */
public record Function(String name, List<ValueType> argTypes, int variadic, ValueType returnType) {
  private static final Map<String, Function> ALL = new HashMap<>();

  static {
    for (String n : List.of("abs", "ceil", "exp", "floor", "ln", "log10", "log2", "sqrt", "sgn",
        "deg", "rad", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin",
        "sinh", "tan", "tanh", "absent", "sort", "sort_desc", "timestamp", "histogram_count",
        "histogram_sum")) {
      add(n, List.of(VECTOR), 0, VECTOR);
    }
    for (String n : List.of("avg_over_time", "count_over_time", "max_over_time",
        "min_over_time", "sum_over_time", "stddev_over_time", "stdvar_over_time",
        "last_over_time", "present_over_time", "absent_over_time", "changes", "resets",
        "delta", "deriv", "idelta", "increase", "irate", "rate")) {
      add(n, List.of(MATRIX), 0, VECTOR);
    }
    for (String n : List.of("day_of_month", "day_of_week", "day_of_year", "days_in_month",
        "hour", "minute", "month", "year")) {
      add(n, List.of(VECTOR), 1, VECTOR);
    }
    add("clamp", List.of(VECTOR, SCALAR, SCALAR), 0, VECTOR);
    add("clamp_max", List.of(VECTOR, SCALAR), 0, VECTOR);
    add("clamp_min", List.of(VECTOR, SCALAR), 0, VECTOR);
    add("histogram_fraction", List.of(SCALAR, SCALAR, VECTOR), 0, VECTOR);
    add("histogram_quantile", List.of(SCALAR, VECTOR), 0, VECTOR);
    add("holt_winters", List.of(MATRIX, SCALAR, SCALAR), 0, VECTOR);
    add("label_join", List.of(VECTOR, STRING, STRING, STRING), -1, VECTOR);
    add("label_replace", List.of(VECTOR, STRING, STRING, STRING, STRING), 0, VECTOR);
    add("pi", List.of(), 0, SCALAR);
    add("predict_linear", List.of(MATRIX, SCALAR), 0, VECTOR);
    add("quantile_over_time", List.of(SCALAR, MATRIX), 0, VECTOR);
    add("round", List.of(VECTOR, SCALAR), 1, VECTOR);
    add("scalar", List.of(VECTOR), 0, SCALAR);
    add("time", List.of(), 0, SCALAR);
    add("vector", List.of(SCALAR), 0, VECTOR);
  }

  public Function {
    argTypes = List.copyOf(argTypes);
  }

  private static void add(String name, List<ValueType> args, int variadic, ValueType ret) {
    ALL.put(name, new Function(name, args, variadic, ret));
  }

  /** The function named {@code name}, or null when PromQL has none. */
  public static Function lookup(String name) {
    return ALL.get(name);
  }
}
