package syslens.alerting.rules;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import syslens.query.Engine;
import syslens.query.InstantVector;
import syslens.query.PromqlScript;
import syslens.query.QueryException;
import syslens.query.Scalar;
import syslens.query.Value;
import syslens.query.VectorSample;
import syslens.query.parser.Durations;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.Storage;

/**
 * Runs rule unit tests in {@code promtool test rules}' YAML format: {@code rule_files},
 * {@code evaluation_interval}, {@code tests: - interval, input_series (series, values in
 * expanding notation such as 0+10x100), alert_rule_test (eval_time, alertname, exp_alerts:
 * exp_labels, exp_annotations), promql_expr_test (expr, eval_time, exp_samples: labels, value),
 * external_labels}. Rule files may use the syslens kinds (trend, composite, anomaly). As promtool,
 * every group is evaluated in order at 0, interval, 2 × interval ... up to the last eval_time on a
 * fresh storage per test, only firing alerts are compared, and each alert test is checked at the
 * step at or before its eval_time.
 */
public final class RuleTests {
  /** One file's outcome: passed and failed test cases (alert and expression tests). */
  public record Result(String file, int passed, List<String> failures) {
    public Result {
      failures = List.copyOf(failures);
    }

    public int failed() {
      return failures.size();
    }
  }

  static final long MAX_STEPS = 1_000_000;
  private final Supplier<? extends Storage> storages;

  private RuleTests(Supplier<? extends Storage> storages) {
    this.storages = storages;
  }

  /** A runner that opens a fresh storage (closed after) for each test. */
  public static RuleTests create(Supplier<? extends Storage> storages) {
    return new RuleTests(requireNonNull(storages, "storages"));
  }

  /** Runs one test file. */
  public Result run(Path file) throws IOException {
    String name = file.getFileName().toString();
    List<String> failures = new ArrayList<>();
    int passed = 0;
    JsonNode root;
    List<GroupSpec> groups = new ArrayList<>();
    long evalInterval;
    try {
      if (Files.size(file) > RuleFiles.MAX_BYTES) {
        throw new IllegalArgumentException(Files.size(file) + " bytes (expected: <= "
            + RuleFiles.MAX_BYTES + ")");
      }
      root = LocatedTree.parse(Files.readString(file)).root;
      evalInterval = duration(root.path("evaluation_interval"), 60_000, "evaluation_interval");
      for (JsonNode rf : root.path("rule_files")) {
        Path p = file.toAbsolutePath().getParent().resolve(rf.asText());
        if (Files.size(p) > RuleFiles.MAX_BYTES) {
          throw new IllegalArgumentException("rule file " + rf.asText() + ": too large");
        }
        try {
          groups.addAll(RuleFiles.parseFile(Files.readString(p), evalInterval));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("rule file " + rf.asText() + ": " + e.getMessage(), e);
        }
      }
    } catch (IllegalArgumentException | IOException e) {
      return new Result(name, 0, List.of(name + ": " + e.getMessage()));
    }
    int i = 0;
    for (JsonNode test : root.path("tests")) {
      i++;
      String where = name + " test " + i;
      try {
        int[] counts = runTest(test, groups, evalInterval, where, failures);
        passed += counts[0];
      } catch (IllegalArgumentException | QueryException e) {
        failures.add(where + ": " + e.getMessage());
      }
    }
    return new Result(name, passed, failures);
  }

  private int[] runTest(JsonNode test, List<GroupSpec> groups, long evalInterval, String where,
      List<String> failures) {
    long interval = duration(test.path("interval"), evalInterval, "interval");
    Map<String, String> external = new TreeMap<>();
    test.path("external_labels").fields().forEachRemaining(e -> external.put(e.getKey(),
        e.getValue().asText()));
    int passed = 0;
    try (Storage storage = storages.get()) {
      load(storage, test.path("input_series"), interval);
      try (RuleManager m = RuleManager.builder(storage, q -> Engine.builder(q).build(),
          alerts -> { }).appenders(storage::appender).externalLabels(external).threads(1)
          .build()) {
        m.setGroups(groups);
        List<JsonNode> alertTests = new ArrayList<>();
        test.path("alert_rule_test").forEach(alertTests::add);
        long maxT = 0;
        Map<JsonNode, Long> at = new HashMap<>();
        for (JsonNode t : alertTests) {
          long e = duration(t.path("eval_time"), -1, "alert_rule_test eval_time");
          if (e < 0) {
            throw new IllegalArgumentException("alert_rule_test: eval_time missing");
          }
          at.put(t, e);
          maxT = Math.max(maxT, e);
        }
        for (JsonNode t : test.path("promql_expr_test")) {
          maxT = Math.max(maxT, duration(t.path("eval_time"), 0, "promql_expr_test eval_time"));
        }
        if (maxT / evalInterval > MAX_STEPS) {
          throw new IllegalArgumentException("last eval_time " + maxT + "ms is more than "
              + MAX_STEPS + " evaluation intervals away (expected: fewer steps)");
        }
        alertTests.sort(Comparator.comparingLong(at::get));
        int next = 0;
        for (long ts = 0; ts <= maxT; ts += evalInterval) {
          m.evalAllInOrder(ts);
          while (next < alertTests.size() && at.get(alertTests.get(next)) < ts + evalInterval) {
            JsonNode t = alertTests.get(next++);
            String err = checkAlerts(m, t);
            if (err == null) {
              passed++;
            } else {
              failures.add(where + " alertname " + t.path("alertname").asText() + " eval_time "
                  + t.path("eval_time").asText() + ": " + err);
            }
          }
        }
      }
      Engine engine = Engine.builder(storage).build();
      for (JsonNode t : test.path("promql_expr_test")) {
        String err = checkExpr(engine, t);
        if (err == null) {
          passed++;
        } else {
          failures.add(where + " expr " + t.path("expr").asText() + " eval_time "
              + t.path("eval_time").asText() + ": " + err);
        }
      }
    }
    return new int[] {passed};
  }

  private static void load(Storage storage, JsonNode series, long interval) {
    Appender app = storage.appender();
    for (JsonNode s : series) {
      String desc = s.path("series").asText();
      Labels labels;
      try {
        labels = PromqlScript.parseLabels(desc);
      } catch (QueryException | ClassCastException e) {
        throw new IllegalArgumentException("input_series: series \"" + desc + "\": not a series "
            + "selector like up{job=\"node\"}");
      }
      List<Double> values = new ArrayList<>();
      for (String item : s.path("values").asText().strip().split("\\s+")) {
        if (item.isEmpty()) {
          continue;
        }
        try {
          PromqlScript.expand(item, values);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("input_series " + desc + ": values: " + item + ": "
              + e.getMessage() + " (expected: numbers, _, stale, a+bxN)");
        }
      }
      for (int k = 0; k < values.size(); k++) {
        if (values.get(k) != null) {
          app.append(labels, k * interval, values.get(k));
        }
      }
    }
    app.commit();
  }

  private static String checkAlerts(RuleManager m, JsonNode t) {
    String alertname = t.path("alertname").asText();
    List<String> got = new ArrayList<>();
    for (GroupView g : m.groups()) {
      for (RuleView r : g.rules()) {
        if (!r.spec().alerting() || !r.spec().name().equals(alertname)) {
          continue;
        }
        if (!r.health().equals("ok") && !r.health().equals("unknown")) {
          return "rule evaluation failed: " + r.lastError();
        }
        for (AlertInstance.View a : r.alerts()) {
          if (a.state().equals("firing")) {
            got.add(describe(a.labels(), a.annotations()));
          }
        }
      }
    }
    List<String> exp = new ArrayList<>();
    for (JsonNode e : t.path("exp_alerts")) {
      Map<String, String> labels = new TreeMap<>();
      e.path("exp_labels").fields().forEachRemaining(x -> labels.put(x.getKey(),
          x.getValue().asText()));
      labels.put("alertname", alertname);
      Map<String, String> ann = new TreeMap<>();
      e.path("exp_annotations").fields().forEachRemaining(x -> ann.put(x.getKey(),
          x.getValue().asText()));
      exp.add(describe(Labels.fromMap(labels), ann));
    }
    got.sort(null);
    exp.sort(null);
    return got.equals(exp) ? null : "\n    exp: " + exp + "\n    got: " + got;
  }

  private static String describe(Labels labels, Map<String, String> annotations) {
    return "labels:" + labels + " annotations:" + new TreeMap<>(annotations);
  }

  private static String checkExpr(Engine engine, JsonNode t) {
    long ts = duration(t.path("eval_time"), 0, "eval_time");
    Value v;
    try {
      v = engine.instantQuery(t.path("expr").asText(), ts);
    } catch (QueryException e) {
      return "error: " + e.getMessage();
    }
    List<VectorSample> got = switch (v) {
      case InstantVector iv -> iv.samples();
      case Scalar s -> List.of(new VectorSample(Labels.empty(), ts, s.value()));
      default -> List.of();
    };
    List<String> gotText = new ArrayList<>();
    got.forEach(s -> gotText.add(s.labels() + " " + s.value()));
    List<String> expText = new ArrayList<>();
    Map<Labels, Double> exp = new HashMap<>();
    for (JsonNode e : t.path("exp_samples")) {
      Labels l = e.path("labels").asText().isEmpty() ? Labels.empty()
          : PromqlScript.parseLabels(e.path("labels").asText());
      double val = Double.parseDouble(e.path("value").asText());
      exp.put(l, val);
      expText.add(l + " " + val);
    }
    boolean same = exp.size() == got.size();
    for (VectorSample s : got) {
      Double ev = exp.get(s.labels());
      same &= ev != null && (ev.equals(s.value())
          || Math.abs(ev - s.value()) <= 1e-9 * Math.max(Math.abs(ev), Math.abs(s.value())));
    }
    gotText.sort(null);
    expText.sort(null);
    return same ? null : "\n    exp: " + expText + "\n    got: " + gotText;
  }

  private static long duration(JsonNode n, long dflt, String field) {
    if (n.isMissingNode() || n.isNull()) {
      return dflt;
    }
    long ms = Durations.parseMillis(n.asText());
    if (ms < 0) {
      throw new IllegalArgumentException(field + ": \"" + n.asText()
          + "\" (expected: a duration like 1m)");
    }
    return ms;
  }
}
