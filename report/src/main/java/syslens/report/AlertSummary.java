package syslens.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import syslens.report.Report.Chart;
import syslens.report.Report.Column;
import syslens.report.Report.Line;
import syslens.report.Report.Section;
import syslens.report.Report.Unit;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.ScopedQueryable;

/**
 * Alerts over the period per rule and level, noisiest first: times fired, nodes affected, mean
 * time to resolve (firing until the next change away from firing of the same alert), alerts
 * still firing at the end. Only alerts whose labels are inside both the requester's and the
 * report's scope count. Mean time to acknowledge is not computed (acknowledgements live in the
 * notification log, which this interface does not carry).
 */
final class AlertSummary {
  static final int MAX_CHANGES = 200_000;

  private AlertSummary() {}

  static Section compute(AlertHistory history, ReportRequest request, List<List<Matcher>> requesterScope, long step) {
    List<AlertHistory.Change> changes = history.changes(request.startMs(), request.endMs(), MAX_CHANGES);
    record Key(String rule, String level) {}
    Map<Key, double[]> stats = new TreeMap<>((a, b) -> a.rule().equals(b.rule()) ? a.level().compareTo(b.level())
        : a.rule().compareTo(b.rule()));
    Map<Key, Set<String>> nodes = new HashMap<>();
    Map<Labels, Long> firingSince = new HashMap<>();
    Map<Labels, Key> keyOf = new HashMap<>();
    TreeMap<Long, Double> perStep = new TreeMap<>();
    for (AlertHistory.Change c : changes) {
      if (!visible(c.labels(), requesterScope, request.scope())) {
        continue;
      }
      Key k = new Key(c.rule(), c.level() == null ? "" : c.level());
      double[] s = stats.computeIfAbsent(k, x -> new double[3]); // fired, resolved count, resolve ms sum
      if ("firing".equals(c.to())) {
        s[0]++;
        firingSince.put(c.labels(), c.atMs());
        keyOf.put(c.labels(), k);
        String node = c.labels().get("node");
        nodes.computeIfAbsent(k, x -> new java.util.TreeSet<>()).add(node == null ? "-" : node);
        long bucket = request.startMs() + ((c.atMs() - request.startMs()) / step + 1) * step;
        perStep.merge(bucket, 1.0, Double::sum);
      } else if ("firing".equals(c.from()) && firingSince.containsKey(c.labels())) {
        s[1]++;
        s[2] += c.atMs() - firingSince.remove(c.labels());
      }
    }
    Map<Key, Integer> open = new HashMap<>();
    keyOf.forEach((labels, k) -> {
      if (firingSince.containsKey(labels)) {
        open.merge(k, 1, Integer::sum);
      }
    });
    List<List<Object>> rows = new ArrayList<>();
    stats.forEach((k, s) -> {
      if (s[0] > 0) {
        rows.add(List.of(k.rule(), k.level(), s[0], (double) nodes.getOrDefault(k, Set.of()).size(),
            s[1] == 0 ? Double.NaN : s[2] / s[1] / 1000.0, (double) open.getOrDefault(k, 0)));
      }
    });
    rows.sort((a, b) -> Double.compare((Double) b.get(2), (Double) a.get(2)));
    List<Column> cols = List.of(new Column("col.rule", Unit.TEXT), new Column("col.level", Unit.TEXT),
        new Column("col.fired", Unit.COUNT), new Column("col.nodes", Unit.COUNT), new Column("col.mttr", Unit.SECONDS),
        new Column("col.still_firing", Unit.COUNT));
    Chart chart = null;
    if (!perStep.isEmpty()) {
      for (long t = request.startMs() + step; t <= request.endMs() + step; t += step) {
        perStep.putIfAbsent(t, 0.0); // steps without a firing count zero
      }
      long[] t = perStep.keySet().stream().mapToLong(Long::longValue).toArray();
      double[] v = perStep.values().stream().mapToDouble(Double::doubleValue).toArray();
      chart = new Chart("chart.alerts", Unit.COUNT, List.of(new Line("line.alerts_fired", t, v, false)));
    }
    List<String> notes = new ArrayList<>(List.of("note.alerts"));
    if (rows.isEmpty()) {
      notes.add("note.no_alerts");
    }
    if (changes.size() >= MAX_CHANGES) {
      notes.add("note.alerts_truncated|" + MAX_CHANGES);
    }
    return new Section(Kind.ALERTS, "section.alerts", cols, rows, chart, notes);
  }

  private static boolean visible(Labels labels, List<List<Matcher>> requesterScope, ReportScope scope) {
    if (requesterScope != null && !ScopedQueryable.visible(requesterScope, labels)) {
      return false;
    }
    for (Matcher m : scope.matchers()) {
      String v = labels.get(m.name());
      if (!m.matches(v == null ? "" : v)) {
        return false;
      }
    }
    return true;
  }
}
