package syslens.alerting.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import syslens.alerting.Alert;
import syslens.query.Engine;
import syslens.query.InstantVector;
import syslens.query.Matrix;
import syslens.query.QueryException;
import syslens.query.Scalar;
import syslens.query.Value;
import syslens.query.VectorSample;
import syslens.query.parser.Expr;
import syslens.query.parser.TokenType;
import syslens.query.parser.ValueType;
import syslens.storage.Labels;

/**
 * One compiled rule with its alert instances, evaluated with Prometheus' semantics
 * ({@code rules/alerting.go}): a new result is pending, firing once {@code for} has elapsed
 * since {@code activeAt}; when its series leaves the result a pending instance is dropped and a
 * firing one becomes inactive (resolved) unless {@code keep_firing_for} holds it; resolved
 * instances stay 15 minutes and are re-sent, then forgotten. Evaluated by one thread at a time.
 */
final class Rule {
  static final long RESOLVED_RETENTION_MS = 15 * 60_000;
  static final long RESEND_DELAY_MS = 60_000;
  /** Prometheus's stale marker (a NaN with this bit pattern). */
  static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

  final String key;
  final String group;
  final RuleSpec spec;
  /** The effective PromQL (generated for trend and composite rules). */
  final String expr;
  final Expr parsed;
  final String generatorUrl;
  final Map<Labels, AlertInstance> active = new LinkedHashMap<>();
  volatile Baseline baseline = Baseline.empty();
  volatile String health = "unknown";
  volatile String lastError = "";
  volatile long lastEvalMs;
  volatile double evalSeconds;
  private final boolean labelsTemplated;
  /** Series labels to alert labels (rules without templated labels), bounded. */
  private final Map<Labels, Labels> alertLabels = new HashMap<>();
  private final Settings settings;
  /** The ALERTS / ALERTS_FOR_STATE series written by the last evaluation (for stale markers). */
  private Set<Labels> lastSeries = Set.of();
  /** The group's scope: alerts whose labels fall outside it are dropped (null: unscoped). */
  private volatile List<List<syslens.storage.Matcher>> scope;
  /** The left side of {@code <vector expr> <cmp> <number>}, shared within a round, else null. */
  private final Expr sharedLhs;
  private final TokenType cmpOp;
  private final double cmpValue;

  Rule(String key, String group, RuleSpec spec, String expr, String generatorUrl,
      Settings settings) {
    this.key = key;
    this.settings = settings;
    this.group = group;
    this.spec = spec;
    this.expr = expr;
    this.parsed = Engine.parse(expr);
    this.generatorUrl = generatorUrl;
    this.labelsTemplated = spec.labels().values().stream().anyMatch(v -> v.contains("{{"));
    if (parsed instanceof Expr.BinaryExpr be && be.op().isComparison() && !be.returnBool()
        && be.rhs() instanceof Expr.NumberLiteral n && be.lhs().type() == ValueType.VECTOR) {
      sharedLhs = be.lhs();
      cmpOp = be.op();
      cmpValue = n.value();
    } else {
      sharedLhs = null;
      cmpOp = null;
      cmpValue = 0;
    }
  }

  /** Evaluation settings shared by a manager's rules. */
  record Settings(int flapChanges, long flapWindowMs, Map<String, String> externalLabels,
      boolean alertsSeries) {}

  /** Limits the rule's alerts to labels inside {@code scope} (its selections are scoped by the caller). */
  Rule limitTo(List<List<syslens.storage.Matcher>> scope) {
    this.scope = scope;
    return this;
  }

  /** Evaluates an alerting rule at {@code ts}, recording transitions and alerts into {@code out}. */
  synchronized void evalAlerting(Engine engine, Engine trainingEngine, RoundCache round, long ts,
      long intervalMs, Settings set, RoundOutput out, StateStore store) {
    long start = System.nanoTime();
    List<VectorSample> result;
    try {
      result = condition(engine, trainingEngine, round, ts, store);
    } catch (QueryException | IllegalStateException e) {
      fail(e, ts, start);
      return;
    }
    Map<Labels, VectorSample> byLabels = new HashMap<>();
    Map<Labels, Labels> seriesOf = new HashMap<>();
    if (alertLabels.size() > 4 * result.size() + 1000) {
      alertLabels.clear();
    }
    for (VectorSample s : result) {
      Labels series = s.labels().withoutMetricName();
      Labels labels = labelsTemplated ? alertLabels(series, s.value(), set)
          : alertLabels.computeIfAbsent(series, x -> alertLabels(x, 0, set));
      if (!syslens.storage.ScopedQueryable.visible(scope, labels)) {
        continue; // e.g. label_replace moved it out of the group's scope
      }
      if (byLabels.put(labels, s) != null) {
        fail(new IllegalStateException("vector contains metrics with the same labelset after "
            + "applying alert labels: " + labels), ts, start);
        return;
      }
      seriesOf.put(labels, series);
    }
    for (Map.Entry<Labels, VectorSample> e : byLabels.entrySet()) {
      AlertInstance a = active.get(e.getKey());
      if (a != null && a.state != AlertInstance.State.INACTIVE) {
        a.value = e.getValue().value();
        a.series = seriesOf.get(e.getKey());
        continue;
      }
      AlertInstance n = new AlertInstance(e.getKey(), seriesOf.get(e.getKey()),
          e.getValue().value(), ts);
      if (a != null) {
        n.changes.addAll(a.changes);
      }
      active.put(e.getKey(), n);
      change(n, AlertInstance.State.INACTIVE, ts, set, out);
    }
    for (Iterator<AlertInstance> it = active.values().iterator(); it.hasNext(); ) {
      AlertInstance a = it.next();
      if (byLabels.containsKey(a.labels)) {
        continue;
      }
      if (a.state == AlertInstance.State.PENDING
          || (a.resolvedAt != 0 && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) {
        it.remove();
        out.removed.add(row(a));
        if (a.state == AlertInstance.State.PENDING) {
          out.history.add(transition(a, "pending", "inactive", ts));
        }
        continue;
      }
      if (a.state != AlertInstance.State.INACTIVE) {
        if (spec.keepFiringForMs() > 0) {
          if (a.keepFiringSince == 0) {
            a.keepFiringSince = ts;
            a.dirty = true;
          }
          if (ts - a.keepFiringSince < spec.keepFiringForMs()) {
            continue;
          }
        }
        a.resolvedAt = ts;
        AlertInstance.State from = a.state;
        a.state = AlertInstance.State.INACTIVE;
        change(a, from, ts, set, out);
      }
    }
    for (AlertInstance a : active.values()) {
      if (!byLabels.containsKey(a.labels)) {
        continue;
      }
      if (a.keepFiringSince != 0) {
        a.keepFiringSince = 0;
        a.dirty = true;
      }
      if (a.state == AlertInstance.State.PENDING && ts - a.activeAt >= spec.forMs()) {
        a.state = AlertInstance.State.FIRING;
        a.firedAt = ts;
        change(a, AlertInstance.State.PENDING, ts, set, out);
      }
    }
    send(ts, intervalMs, out);
    for (AlertInstance a : active.values()) {
      if (a.dirty) {
        a.dirty = false;
        out.changed.add(row(a));
      }
    }
    if (set.alertsSeries()) {
      alertsSeries(ts, out);
    }
    ok(ts, start);
  }

  /**
   * Prometheus's {@code ALERTS{alertstate}} = 1 and {@code ALERTS_FOR_STATE} = active-since
   * (seconds) for every pending or firing instance; a series written last time and not now (the
   * instance resolved, or went from pending to firing) gets a stale marker, so it ends at once.
   */
  private void alertsSeries(long ts, RoundOutput out) {
    Set<Labels> now = new HashSet<>();
    for (AlertInstance a : active.values()) {
      if (a.state == AlertInstance.State.INACTIVE) {
        continue;
      }
      Labels alerts = a.alertsSeries();
      Labels forState = a.forStateSeries();
      now.add(alerts);
      now.add(forState);
      out.series.add(new VectorSample(alerts, ts, 1));
      out.series.add(new VectorSample(forState, ts, a.activeAt / 1000.0));
    }
    for (Labels old : lastSeries) {
      if (!now.contains(old)) {
        out.series.add(new VectorSample(old, ts, STALE_NAN));
      }
    }
    lastSeries = now.isEmpty() ? Set.of() : now;
  }

  /** The alert's identity: series labels, rule labels (templated), severity, alertname. */
  private Labels alertLabels(Labels series, double value, Settings set) {
    Labels.Builder b = series.toBuilder();
    Templates.Data data = labelsTemplated
        ? new Templates.Data(series.toMap(), value, set.externalLabels()) : null;
    for (Map.Entry<String, String> l : spec.labels().entrySet()) {
      String v = labelsTemplated ? Templates.expand(l.getValue(), data) : l.getValue();
      if (v.isEmpty()) {
        b.remove(l.getKey());
      } else {
        b.set(l.getKey(), v);
      }
    }
    if (spec.level() != null) {
      b.set("severity", spec.level());
    }
    b.set("alertname", spec.name());
    return b.build();
  }

  /**
   * The annotations of an instance, rendered from its series labels and latest value (the same
   * text Prometheus renders at every evaluation, rendered only when read or sent).
   */
  Map<String, String> annotations(AlertInstance a) {
    if (a.series == null) {
      return a.storedAnnotations;
    }
    if (spec.annotations().isEmpty()) {
      return Map.of();
    }
    Templates.Data data = new Templates.Data(a.series.toMap(), a.value, settings.externalLabels());
    Map<String, String> ann = new LinkedHashMap<>();
    spec.annotations().forEach((k, t) -> ann.put(k, Templates.expand(t, data)));
    return ann;
  }

  private List<VectorSample> condition(Engine engine, Engine trainingEngine, RoundCache round,
      long ts, StateStore store) {
    if (sharedLhs != null && round != null) {
      Value lhs = round.results.computeIfAbsent(sharedLhs, e -> engine.instantQuery(sharedLhs, ts));
      List<VectorSample> out = new ArrayList<>();
      for (VectorSample s : vector(lhs)) {
        double v = s.value();
        boolean keep = switch (cmpOp) {
          case EQL -> v == cmpValue;
          case NEQ -> v != cmpValue;
          case GTR -> v > cmpValue;
          case LSS -> v < cmpValue;
          case GTE -> v >= cmpValue;
          case LTE -> v <= cmpValue;
          default -> throw new IllegalStateException("not a comparison: " + cmpOp);
        };
        if (keep) {
          out.add(s);
        }
      }
      return out;
    }
    if (spec.kind() != RuleSpec.Kind.ANOMALY) {
      return vector(engine.instantQuery(parsed, ts));
    }
    RuleSpec.Anomaly an = spec.anomaly();
    Baseline b = baseline;
    if (b.trainedAt() == Baseline.NEVER || ts - b.trainedAt() >= an.retrainMs()) {
      Matrix m = trainingEngine.rangeQuery(parsed, ts - an.trainingMs(), ts - an.stepMs(),
          an.stepMs());
      b = Baseline.train(m, an.minSamples(), ts);
      baseline = b;
      store.saveBaseline(key, b);
    }
    List<VectorSample> out = new ArrayList<>();
    for (VectorSample s : vector(engine.instantQuery(parsed, ts))) {
      Baseline.Band band = b.band(s.labels(), ts, an.sensitivity(), an.minDeviation());
      if (band != null && band.outside(s.value())) {
        out.add(s);
      }
    }
    return out;
  }

  /** Evaluates a recording rule: the samples to append (renamed, labels added). */
  List<VectorSample> evalRecording(Engine engine, long ts) {
    long start = System.nanoTime();
    try {
      List<VectorSample> in = vector(engine.instantQuery(parsed, ts));
      List<VectorSample> outSamples = new ArrayList<>(in.size());
      Set<Labels> seen = new HashSet<>();
      for (VectorSample s : in) {
        Labels.Builder b = s.labels().toBuilder().set(Labels.METRIC_NAME, spec.name());
        spec.labels().forEach(b::set);
        Labels l = b.build();
        if (!seen.add(l)) {
          throw new IllegalStateException("vector contains metrics with the same labelset after "
              + "applying rule labels: " + l);
        }
        outSamples.add(new VectorSample(l, ts, s.value()));
      }
      ok(ts, start);
      return outSamples;
    } catch (QueryException | IllegalStateException e) {
      fail(e, ts, start);
      return List.of();
    }
  }

  private static List<VectorSample> vector(Value v) {
    return switch (v) {
      case InstantVector iv -> iv.samples();
      case Scalar s -> List.of(new VectorSample(Labels.empty(), s.timestampMs(), s.value()));
      default -> throw new IllegalStateException("rule expression gave a " + v.resultType()
          + " (expected: an instant vector or scalar)");
    };
  }

  private void ok(long ts, long startNanos) {
    health = "ok";
    lastError = "";
    lastEvalMs = ts;
    evalSeconds = (System.nanoTime() - startNanos) / 1e9;
  }

  private void fail(RuntimeException e, long ts, long startNanos) {
    health = "err";
    lastError = e.getMessage() == null ? e.toString() : e.getMessage();
    lastEvalMs = ts;
    evalSeconds = (System.nanoTime() - startNanos) / 1e9;
  }

  private void change(AlertInstance a, AlertInstance.State from, long ts, Settings set,
      RoundOutput out) {
    a.dirty = true;
    a.changes.addLast(ts);
    while (!a.changes.isEmpty() && (a.changes.peekFirst() < ts - set.flapWindowMs()
        || a.changes.size() > 64)) {
      a.changes.pollFirst();
    }
    a.flapping = a.changes.size() > set.flapChanges();
    out.history.add(transition(a, from.wire(), a.state == AlertInstance.State.INACTIVE
        ? "resolved" : a.state.wire(), ts));
    if (a.state == AlertInstance.State.FIRING) {
      out.firedAt.put(a.labels, ts);
    }
  }

  private StateStore.Transition transition(AlertInstance a, String from, String to, long ts) {
    String node = a.labels.get("node");
    if (node == null) {
      node = a.labels.get("instance");
    }
    String level = a.labels.get("severity");
    return new StateStore.Transition(ts, key, spec.name(), node == null ? "" : node,
        level == null ? "" : level, from, to, a.value, a.labels);
  }

  /** Prometheus' sendAlerts: firing ones every resend delay, resolved ones until forgotten. */
  private void send(long ts, long intervalMs, RoundOutput out) {
    long validFor = 4 * Math.max(RESEND_DELAY_MS, intervalMs);
    for (AlertInstance a : active.values()) {
      if (a.state == AlertInstance.State.PENDING) {
        continue;
      }
      boolean due = (a.resolvedAt != 0 && a.resolvedAt > a.lastSentAt)
          || a.lastSentAt == Long.MIN_VALUE || a.lastSentAt + RESEND_DELAY_MS <= ts;
      if (!due) {
        continue;
      }
      a.lastSentAt = ts;
      a.dirty = true;
      long endsAt = a.resolvedAt != 0 ? a.resolvedAt : ts + validFor;
      Map<String, String> ann = annotations(a);
      if (a.flapping) {
        ann = new LinkedHashMap<>(ann);
        ann.put("flapping", "true");
      }
      out.alerts.add(new Alert(a.labels, ann, java.time.Instant.ofEpochMilli(a.activeAt),
          java.time.Instant.ofEpochMilli(endsAt), generatorUrl, a.value));
    }
  }

  StateStore.InstanceRow row(AlertInstance a) {
    return new StateStore.InstanceRow(key, a.labels, annotations(a), a.state.wire(), a.value,
        a.activeAt, a.firedAt, a.resolvedAt, a.lastSentAt, a.keepFiringSince,
        List.copyOf(a.changes));
  }

  /** Restores a stored instance (after a restart). */
  synchronized void restore(StateStore.InstanceRow r, Settings set) {
    AlertInstance a = new AlertInstance(r.labels(), null, r.value(), r.activeAt());
    a.storedAnnotations = Map.copyOf(r.annotations());
    a.state = AlertInstance.State.valueOf(r.state().toUpperCase(java.util.Locale.ROOT));
    a.firedAt = r.firedAt();
    a.resolvedAt = r.resolvedAt();
    a.lastSentAt = r.lastSentAt();
    a.keepFiringSince = r.keepFiringSince();
    a.changes.addAll(r.changes());
    a.flapping = a.changes.size() > set.flapChanges();
    active.put(a.labels, a);
  }

  /** Snapshots of the instances, for the API (called from other threads). */
  synchronized List<AlertInstance.View> views() {
    return active.values().stream().map(a -> a.view(annotations(a))).toList();
  }
}
