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
 * time to acknowledge (firing until the first acknowledgement of the same alert while it fires,
 * over the firings acknowledged), mean time to resolve (firing until the next change away from
 * firing of the same alert), alerts still firing at the end. Only alerts whose labels are inside
 * both the requester's and the report's scope count.
 */
final class AlertSummary {
  static final int MAX_CHANGES = 200_000;

  private AlertSummary() {}

  static Section compute(AlertHistory history, ReportRequest request, List<List<Matcher>> requesterScope, long step) {
    List<AlertHistory.Change> changes = history.changes(request.startMs(), request.endMs(), MAX_CHANGES);
    Map<String, List<Long>> acks = new HashMap<>();
    for (AlertHistory.Ack a : history.acks(request.startMs(), request.endMs(), MAX_CHANGES)) {
      acks.computeIfAbsent(a.fingerprint(), x -> new ArrayList<>()).add(a.atMs());
    }
    acks.values().forEach(java.util.Collections::sort);
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
      // fired, resolved count, resolve ms sum, acknowledged count, acknowledge ms sum
      double[] s = stats.computeIfAbsent(k, x -> new double[5]);
      if ("firing".equals(c.to())) {
        s[0]++;
        firingSince.put(c.labels(), c.atMs());
        keyOf.put(c.labels(), k);
        String node = c.labels().get("node");
        nodes.computeIfAbsent(k, x -> new java.util.TreeSet<>()).add(node == null ? "-" : node);
        long bucket = request.startMs() + ((c.atMs() - request.startMs()) / step + 1) * step;
        perStep.merge(bucket, 1.0, Double::sum);
      } else if ("firing".equals(c.from()) && firingSince.containsKey(c.labels())) {
        long since = firingSince.remove(c.labels());
        s[1]++;
        s[2] += c.atMs() - since;
        acknowledged(s, acks.get(history.fingerprint(c.labels())), since, c.atMs());
      }
    }
    firingSince.forEach((labels, since) -> acknowledged(stats.get(keyOf.get(labels)),
        acks.get(history.fingerprint(labels)), since, request.endMs() + 1));
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
            s[3] == 0 ? Double.NaN : s[4] / s[3] / 1000.0, s[1] == 0 ? Double.NaN : s[2] / s[1] / 1000.0,
            (double) open.getOrDefault(k, 0)));
      }
    });
    rows.sort((a, b) -> Double.compare((Double) b.get(2), (Double) a.get(2)));
    List<Column> cols = List.of(new Column("col.rule", Unit.TEXT), new Column("col.level", Unit.TEXT),
        new Column("col.fired", Unit.COUNT), new Column("col.nodes", Unit.COUNT), new Column("col.mtta", Unit.SECONDS),
        new Column("col.mttr", Unit.SECONDS),
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

  /** Counts the first acknowledgement in [from, until) of a firing into {@code s}'s sums. */
  private static void acknowledged(double[] s, List<Long> ackTimes, long from, long until) {
    if (ackTimes == null) {
      return;
    }
    int i = java.util.Collections.binarySearch(ackTimes, from);
    i = i < 0 ? -i - 1 : i;
    while (i > 0 && ackTimes.get(i - 1) == from) {
      i--;
    }
    if (i < ackTimes.size() && ackTimes.get(i) < until) {
      s[3]++;
      s[4] += ackTimes.get(i) - from;
    }
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
