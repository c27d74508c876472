package syslens.alerting.rules;

import java.util.List;
import java.util.Map;
import syslens.storage.Labels;

/**
 * Where rule evaluation keeps what must survive a restart: alert instances (written when they
 * change), the history of state changes, and anomaly baselines. {@link #NONE} keeps nothing (rule
 * tests, benchmarks); {@link JdbcStateStore} uses the metadata database.
 */
public interface StateStore {
  /** The most history rows one {@link #history} call returns. */
  int MAX_HISTORY_PAGE = 10_000;

  /** An instance as stored. */
  record InstanceRow(String ruleKey, Labels labels, Map<String, String> annotations, String state,
      double value, long activeAt, long firedAt, long resolvedAt, long lastSentAt,
      long keepFiringSince, List<Long> changes) {}

  /** One state change. */
  record Transition(long atMs, String ruleKey, String rule, String node, String level,
      String from, String to, double value, Labels labels) {}

  /**
   * A history query; null or empty fields match anything. {@code offset} rows of the newest-first
   * order are skipped (paging).
   */
  record HistoryQuery(String rule, String node, String level, long startMs, long endMs,
      int limit, int offset) {
    public HistoryQuery(String rule, String node, String level, long startMs, long endMs,
        int limit) {
      this(rule, node, level, startMs, endMs, limit, 0);
    }
  }

  /** Upserts {@code changed} and deletes {@code removed} (rule key and labels), then appends {@code history}. */
  void write(List<InstanceRow> changed, List<InstanceRow> removed, List<Transition> history);

  /** Every stored instance. */
  List<InstanceRow> loadInstances();

  /** The stored instances of these rules (a rule group taken over from another instance). */
  default List<InstanceRow> loadInstances(java.util.Collection<String> ruleKeys) {
    java.util.Set<String> keys = java.util.Set.copyOf(ruleKeys);
    return loadInstances().stream().filter(r -> keys.contains(r.ruleKey())).toList();
  }

  /** History, newest first. */
  List<Transition> history(HistoryQuery q);

  void saveBaseline(String ruleKey, Baseline b);

  /** The stored baseline of a rule, or an empty one. */
  Baseline loadBaseline(String ruleKey);

  StateStore NONE = new StateStore() {
    @Override
    public void write(List<InstanceRow> changed, List<InstanceRow> removed,
        List<Transition> history) {}

    @Override
    public List<InstanceRow> loadInstances() {
      return List.of();
    }

    @Override
    public List<Transition> history(HistoryQuery q) {
      return List.of();
    }

    @Override
    public void saveBaseline(String ruleKey, Baseline b) {}

    @Override
    public Baseline loadBaseline(String ruleKey) {
      return Baseline.empty();
    }
  };
}
