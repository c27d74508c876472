package syslens.alerting.notify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.alerting.notify.NotifyConfig.InhibitRule;
import syslens.storage.Labels;

/**
 * Alertmanager's inhibition over one snapshot of firing alerts: a target alert is muted when a
 * firing source alert (other than itself) of the same rule has equal values of the rule's
 * {@code equal} labels. Sources are indexed once per snapshot, so a check costs O(rules).
 */
final class Inhibitor {
  private final List<InhibitRule> rules;
  private final List<Map<List<String>, List<String>>> sources = new ArrayList<>();

  /** @param firing fingerprint to labels of the alerts firing now */
  Inhibitor(List<InhibitRule> rules, Map<String, Labels> firing) {
    this.rules = rules;
    for (InhibitRule r : rules) {
      Map<List<String>, List<String>> index = new HashMap<>();
      firing.forEach((fp, labels) -> {
        if (Matcher.all(r.source(), labels)) {
          index.computeIfAbsent(key(r, labels), k -> new ArrayList<>(1)).add(fp);
        }
      });
      sources.add(index);
    }
  }

  /** True when {@code labels} (alert {@code fp}) is muted by some rule. */
  boolean mutes(String fp, Labels labels) {
    for (int i = 0; i < rules.size(); i++) {
      InhibitRule r = rules.get(i);
      if (sources.get(i).isEmpty() || !Matcher.all(r.target(), labels)) {
        continue;
      }
      List<String> fps = sources.get(i).get(key(r, labels));
      if (fps != null && (fps.size() > 1 || !fps.get(0).equals(fp))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> key(InhibitRule r, Labels labels) {
    List<String> k = new ArrayList<>(r.equal().size());
    for (String n : r.equal()) {
      String v = labels.get(n);
      k.add(v == null ? "" : v);
    }
    return k;
  }
}
