package syslens.server;

import java.util.ArrayList;
import java.util.List;

/**
 * The differential test's queries over {@link ParityData}: every PromQL function, aggregation and
 * binary operator of Prometheus 2.42 (native histograms aside), vector matching with on,
 * ignoring, group_left, group_right and bool, offset, @ and subqueries.
 */
final class ParityQueries {
  static final String C = "http_requests_total";
  static final String G = "node_load1";
  static final String T = "temperature_celsius";
  static final String H = "request_duration_seconds_bucket";

  private ParityQueries() {}

  static List<String> all() {
    List<String> q = new ArrayList<>();
    // Selectors.
    q.addAll(List.of(C, G, T, "rpc_latency_seconds", "{__name__=~\"node_.*\"}", C + "{code!=\"200\"}",
        C + "{job=~\"a.*|w.*\",instance!~\"b.*\"}", "{job=\"node\",__name__!=\"node_load1\"}", "nonexistent",
        H + "{le=\"+Inf\"}"));
    // Range-vector functions over a counter and a gauge.
    for (String f : List.of("rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes",
        "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "stddev_over_time",
        "stdvar_over_time", "last_over_time", "present_over_time")) {
      q.add(f + "(" + C + "[5m])");
      q.add(f + "(" + G + "[10m])");
    }
    q.addAll(List.of("quantile_over_time(0.9, " + G + "[10m])", "quantile_over_time(0, " + T + "[10m])",
        "quantile_over_time(1.5, " + G + "[5m])", "holt_winters(" + G + "[10m], 0.5, 0.5)",
        "holt_winters(" + C + "[5m], 0.1, 0.9)", "predict_linear(" + G + "[10m], 600)",
        "predict_linear(" + C + "[5m], 60)", "absent_over_time(nonexistent[5m])", "absent_over_time(" + G + "[5m])",
        "rate(" + T + "[5m])", "avg_over_time(" + T + "[10m])", "deriv(" + T + "[10m])",
        "rate(" + C + "[1m])", "increase(" + C + "[90s])", "rate(" + G + "[5m])", "irate(" + T + "[3m])"));
    // Instant functions on a gauge with negatives and a NaN.
    for (String f : List.of("abs", "ceil", "floor", "round", "exp", "ln", "log2", "log10", "sqrt", "sgn", "sin",
        "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "deg", "rad",
        "timestamp")) {
      q.add(f + "(" + T + ")");
    }
    q.addAll(List.of("round(" + G + ", 0.5)", "round(" + T + ", 3)", "clamp(" + T + ", -1, 1)",
        "clamp_min(" + T + ", 0)", "clamp_max(" + T + ", 0)", "clamp(" + G + ", 5, 1)",
        "day_of_month()", "day_of_week()", "day_of_year()", "days_in_month()", "hour()", "minute()", "month()",
        "year()", "hour(timestamp(" + G + "))", "minute(vector(1700000000))", "days_in_month(vector(1709251200))",
        "day_of_year(timestamp(" + T + "))", "pi()", "time()", "vector(1)", "vector(time())",
        "scalar(sum(" + G + "))", "scalar(" + G + ")", "sort(" + G + ")", "sort_desc(" + G + ")",
        "sort(rate(" + C + "[5m]))", "sort_desc(sum by (job) (" + C + "))", "absent(nonexistent)",
        "absent(nonexistent{job=\"x\",instance=~\"y\"})", "absent(" + G + ")",
        "label_replace(" + G + ", \"host\", \"$1\", \"instance\", \"(.*):.*\")",
        "label_replace(" + G + ", \"x\", \"y\", \"nolabel\", \"\")",
        "label_replace(" + G + ", \"instance\", \"\", \"instance\", \".*\")",
        "label_join(" + C + ", \"ij\", \"-\", \"instance\", \"job\")", "label_join(" + G + ", \"e\", \",\")",
        "histogram_quantile(0.9, rate(" + H + "[5m]))",
        "histogram_quantile(0.5, sum by (le) (rate(" + H + "[5m])))",
        "histogram_quantile(0.99, sum by (job, le) (rate(" + H + "[10m])))",
        "histogram_quantile(1.5, rate(" + H + "[5m]))", "histogram_quantile(-1, rate(" + H + "[5m]))",
        "histogram_quantile(0.5, " + H + ")", "histogram_quantile(0.75, " + H + "{le!=\"0.5\"})",
        "histogram_quantile(0.5, " + H + "{le!=\"+Inf\"})",
        "rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])"));
    // Aggregations, plain, by and without.
    for (String a : List.of("sum", "avg", "min", "max", "count", "group", "stddev", "stdvar")) {
      q.add(a + "(" + C + ")");
      q.add(a + " by (job) (rate(" + C + "[5m]))");
      q.add(a + " without (instance) (" + G + ")");
    }
    q.addAll(List.of("topk(2, " + C + ")", "bottomk(2, " + C + ")", "topk by (job) (1, rate(" + C + "[5m]))",
        "bottomk by (job) (1, " + G + ")", "topk(3, " + T + ")", "count_values(\"v\", ceil(" + G + "))",
        "count_values by (job) (\"value\", floor(rate(" + C + "[5m])))", "quantile(0.5, " + G + ")",
        "quantile by (job) (0.9, rate(" + C + "[5m]))", "quantile(2, " + G + ")", "sum(" + C + ") by (job, code)",
        "avg without (code, instance) (rate(" + C + "[5m]))", "sum by (__name__) ({job=\"node\"})",
        "count by (job) (" + G + ")", "max(" + T + ")", "sum(" + T + ")", "stddev(" + T + ")",
        "topk(1e9, " + G + ")", "topk(0, " + G + ")", "group without () (" + G + ")"));
    // Arithmetic and comparison with scalars and vectors.
    q.addAll(List.of(C + " + 1", "2 * " + G, G + " / 0", "-" + G, G + " - " + G, G + " ^ 2", "2 ^ " + G,
        G + " % 0.3", G + " atan2 " + G, "1 + 2 * 3 ^ 2 ^ 0.5", "(1 + 2) / 4 - -1", "5 % 3", "2 atan2 1",
        G + " > 1", G + " > bool 1", "1 < bool " + G, G + " == " + G, G + " != bool 1", G + " >= 1.5",
        G + " <= 1.5", T + " < 0", "1 == bool 1", "2 > bool 3", T + " == bool " + T,
        "node_memory_free_bytes / " + G, "node_memory_free_bytes / ignoring(job) " + G));
    // Vector matching.
    String r = "rate(" + C + "[5m])";
    q.addAll(List.of(r + " / on(job, instance, code) " + r,
        "sum by (job, code) (" + r + ") / on(job) group_left sum by (job) (" + r + ")",
        "sum by (job) (" + r + ") / on(job) group_right sum by (job, code) (" + r + ")",
        G + " * on(instance) group_left(code) max by (instance, code) (" + r + ")",
        "sum by (job, code) (" + r + ") > bool on(job) group_left sum by (job) (" + r + ") / 2",
        r + " / ignoring(code) group_left sum without (code) (" + r + ")",
        G + " and " + G + " > 1", G + " or " + T, G + " unless " + G + " > 1.5",
        C + " and on(job) sum by (job) (" + C + ") > 1000", "(" + G + " > 1) or vector(0)",
        G + " unless on(instance) node_memory_free_bytes", "vector(1) and on() " + G,
        C + " + on(job) " + C, "sum by (job) (" + C + ") + on(job) group_left " + C,
        C + " / on(job) group_left sum by (job, code) (" + C + ")",
        "{__name__=~\"node_load1|node_memory_free_bytes\"} + 1", "{job=\"node\"} * 0 + on(instance) group_left " + G));
    // Modifiers and subqueries.
    q.addAll(List.of(G + " offset 5m", "rate(" + C + "[5m] offset 10m)", G + " offset -5m",
        G + " @ 1700001800", "rate(" + C + "[5m] @ 1700002000)", G + " @ start()", G + " @ end()",
        "sum(" + G + " @ end())", "rate(" + C + "[5m] @ end() offset 1m)", G + " @ 1700001800.5 offset 30s",
        "max_over_time(rate(" + C + "[5m])[30m:1m])", "avg_over_time(" + G + "[10m:])",
        "rate(" + C + "[10m:30s])", "min_over_time(sum(" + G + ")[15m:2m] offset 5m)",
        "max_over_time(deriv(" + G + "[5m])[20m:1m] @ 1700002500)", "sum_over_time((" + G + " > 1)[10m:1m])",
        "count_over_time(" + G + "[1h:5m])", "last_over_time(" + G + "[7m:13s])",
        "avg_over_time(rate(" + C + "[5m])[10m:] @ start())", "quantile_over_time(0.5, " + T + "[30m:7m])",
        "sum(" + C + ") - sum(" + C + " offset 5m)", "timestamp(" + G + " offset 2m)",
        "timestamp(max_over_time(" + G + "[5m:1m]))"));
    return q;
  }
}
