package syslens.alerting.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import syslens.storage.Labels;

/**
 * The notification configuration: Alertmanager's {@code route}, {@code receivers},
 * {@code inhibit_rules} and {@code time_intervals}, plus SysLens's {@code maintenance_windows}
 * (mute alerts of a node group during recurring windows), per-route escalation and per-receiver
 * language. Built only by {@link ConfigParser}, immutable.
 */
record NotifyConfig(String externalUrl, Route route, Map<String, Receiver> receivers, List<InhibitRule> inhibitRules,
    Map<String, List<TimeInterval>> timeIntervals, List<MaintenanceWindow> maintenanceWindows, String source) {

  /** A receiver: a name, a message language (or the user whose language to use), integrations. */
  record Receiver(String name, String language, String user, Map<String, String> templates,
      List<Integration> integrations, List<Matcher> scope) {
    Receiver(String name, String language, String user, Map<String, String> templates, List<Integration> integrations) {
      this(name, language, user, templates, integrations, List.of());
    }

    /** True when this receiver may be told about an alert with {@code labels} (a team receiver only of its team's). */
    boolean covers(syslens.storage.Labels labels) {
      return scope.isEmpty() || Matcher.all(scope, labels);
    }
  }

  /** Alertmanager's inhibit rule: a source alert mutes targets equal on the {@code equal} labels. */
  record InhibitRule(List<Matcher> source, List<Matcher> target, List<String> equal) {}

  /** Alerts whose labels match {@code matchers} are muted while inside any of {@code intervals}. */
  record MaintenanceWindow(String name, List<Matcher> matchers, List<String> intervals) {}

  /** True when any interval of the named time interval contains {@code t}. */
  boolean inInterval(String name, Instant t) {
    for (TimeInterval ti : timeIntervals.getOrDefault(name, List.of())) {
      if (ti.contains(t)) {
        return true;
      }
    }
    return false;
  }

  /** The maintenance window muting {@code labels} at {@code t}, or null. */
  String maintenance(Labels labels, Instant t) {
    for (MaintenanceWindow w : maintenanceWindows) {
      if (Matcher.all(w.matchers(), labels)) {
        for (String i : w.intervals()) {
          if (inInterval(i, t)) {
            return w.name();
          }
        }
      }
    }
    return null;
  }

  /** One node of the routing tree, with inherited settings already resolved. */
  static final class Route {
    final String id;
    final List<Matcher> matchers;
    final String receiver;
    final List<String> groupBy;
    final boolean groupByAll;
    final Duration groupWait;
    final Duration groupInterval;
    final Duration repeatInterval;
    final boolean cont;
    final List<String> muteTimeIntervals;
    final List<String> activeTimeIntervals;
    final Duration escalateAfter;
    final String escalateTo;
    final List<Route> routes = new ArrayList<>();

    Route(String id, List<Matcher> matchers, String receiver, List<String> groupBy, boolean groupByAll,
        Duration groupWait, Duration groupInterval, Duration repeatInterval, boolean cont,
        List<String> muteTimeIntervals, List<String> activeTimeIntervals, Duration escalateAfter, String escalateTo) {
      this.id = id;
      this.matchers = List.copyOf(matchers);
      this.receiver = receiver;
      this.groupBy = List.copyOf(groupBy);
      this.groupByAll = groupByAll;
      this.groupWait = groupWait;
      this.groupInterval = groupInterval;
      this.repeatInterval = repeatInterval;
      this.cont = cont;
      this.muteTimeIntervals = List.copyOf(muteTimeIntervals);
      this.activeTimeIntervals = List.copyOf(activeTimeIntervals);
      this.escalateAfter = escalateAfter;
      this.escalateTo = escalateTo;
    }

    /** True when this route or one below it escalates (so the dispatcher need not look otherwise). */
    boolean escalates() {
      if (escalateAfter != null) {
        return true;
      }
      for (Route r : routes) {
        if (r.escalates()) {
          return true;
        }
      }
      return false;
    }

    /** The routes {@code labels} end at, as Alertmanager's Route.Match (depth first, continue). */
    List<Route> match(Labels labels) {
      List<Route> out = new ArrayList<>();
      if (!Matcher.all(matchers, labels)) {
        return out;
      }
      for (Route child : routes) {
        List<Route> m = child.match(labels);
        out.addAll(m);
        if (!m.isEmpty() && !child.cont) {
          break;
        }
      }
      if (out.isEmpty()) {
        out.add(this);
      }
      return out;
    }

    /** The labels an alert is grouped by on this route. */
    Labels groupLabels(Labels labels) {
      if (groupByAll) {
        return labels;
      }
      Labels.Builder b = Labels.builder();
      for (String n : groupBy) {
        String v = labels.get(n);
        if (v != null && !v.isEmpty()) {
          b.set(n, v);
        }
      }
      return b.build();
    }

    /** Alertmanager's route key: the matchers from the root, e.g. {@code {}/{team="db"}}. */
    String key() {
      return id;
    }
  }
}
