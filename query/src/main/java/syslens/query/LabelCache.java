package syslens.query;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import syslens.query.Val.Sample;
import syslens.storage.Labels;

/**
 * Per-query memo of label derivations (name dropped, grouping keys, matching signatures), so a
 * range query computes each series' derived labels once, not once per step. Keys are the
 * derivation (an expression node, compared by identity) and the input labels. Not thread-safe.
 */
final class LabelCache {
  private final Map<Labels, Labels> withoutName = new HashMap<>();
  private final Map<Object, Map<Labels, Labels>> derived = new IdentityHashMap<>();

  Labels withoutName(Labels l) {
    Labels r = withoutName.get(l);
    if (r == null) {
      r = l.withoutMetricName();
      withoutName.put(l, r);
    }
    return r;
  }

  /** {@code f(l)}, computed once per query for each {@code key} and {@code l}. */
  Labels derive(Object key, Labels l, UnaryOperator<Labels> f) {
    Map<Labels, Labels> m = derived.computeIfAbsent(key, k -> new HashMap<>());
    Labels r = m.get(l);
    if (r == null) {
      r = f.apply(l);
      m.put(l, r);
    }
    return r;
  }

  /**
   * Some label set that occurs twice among the samples, or null. Sorts the (cached) hash codes
   * and compares only neighbours with equal hashes: no hash set per step.
   */
  Labels firstDuplicate(List<Sample> samples) {
    int n = samples.size();
    if (n < 2) {
      return null;
    }
    if (n == 2) {
      Labels a = samples.get(0).labels();
      return a.equals(samples.get(1).labels()) ? a : null;
    }
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = ((long) samples.get(i).labels().hashCode() << 32) | i;
    }
    Arrays.sort(keys);
    for (int i = 1; i < n; i++) {
      if ((keys[i] >>> 32) != (keys[i - 1] >>> 32)) {
        continue;
      }
      int hash = (int) (keys[i] >>> 32);
      // Compare every earlier member of this equal-hash run.
      for (int j = i - 1; j >= 0 && (int) (keys[j] >>> 32) == hash; j--) {
        Labels a = samples.get((int) keys[i]).labels();
        if (a.equals(samples.get((int) keys[j]).labels())) {
          return a;
        }
      }
    }
    return null;
  }
}
