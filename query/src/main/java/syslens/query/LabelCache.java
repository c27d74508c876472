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
 * derivation (an expression node, compared by identity) and the input labels, also by identity:
 * the series a selector loaded are the same objects at every step, and an identity lookup never
 * compares label strings. Results are interned (equal results are one object), so callers may
 * group by identity. Not thread-safe.
 */
final class LabelCache {
  /** Identity memos are dropped past this size (inputs that are new objects at every step). */
  private static final int MAX_IDENTITY_ENTRIES = 1 << 20;

  private final Map<Labels, Labels> canonical = new HashMap<>();
  private final Map<Labels, Labels> withoutName = new IdentityHashMap<>(4);
  private final Map<Object, Map<Labels, Labels>> derived = new IdentityHashMap<>(4);
  private int identityEntries;

  Labels withoutName(Labels l) {
    Labels r = withoutName.get(l);
    if (r == null) {
      r = intern(l.withoutMetricName());
      remember(withoutName, l, r);
    }
    return r;
  }

  /** {@code f(l)}, computed once per query for each {@code key} and {@code l}; interned. */
  Labels derive(Object key, Labels l, UnaryOperator<Labels> f) {
    Map<Labels, Labels> m = derived.computeIfAbsent(key, k -> new IdentityHashMap<>());
    Labels r = m.get(l);
    if (r == null) {
      r = intern(f.apply(l));
      remember(m, l, r);
    }
    return r;
  }

  /** Per derivation: the inputs and results at each position of the previous step's vector. */
  private static final class Positions {
    Labels[] in = new Labels[0];
    Labels[] out = new Labels[0];
  }

  private final Map<Object, Positions> positions = new IdentityHashMap<>(4);

  /**
   * Like {@link #derive}, for the {@code i}-th sample of a step's vector: a step's vector usually
   * lists the same series in the same order as the step before, so the result is first looked
   * up by position (an array read) and only then by identity.
   */
  Labels derive(Object key, int i, Labels l, UnaryOperator<Labels> f) {
    Positions p = positions.computeIfAbsent(key, k -> new Positions());
    if (i < p.in.length && p.in[i] == l) {
      return p.out[i];
    }
    Labels r = derive(key, l, f);
    if (i >= p.in.length) {
      int cap = Math.max(i + 1, p.in.length * 2);
      p.in = Arrays.copyOf(p.in, cap);
      p.out = Arrays.copyOf(p.out, cap);
    }
    p.in[i] = l;
    p.out[i] = r;
    return r;
  }

  /** The one object of this query equal to {@code l}. */
  Labels intern(Labels l) {
    Labels c = canonical.putIfAbsent(l, l);
    return c == null ? l : c;
  }

  private void remember(Map<Labels, Labels> m, Labels in, Labels out) {
    if (++identityEntries > MAX_IDENTITY_ENTRIES) {
      withoutName.clear();
      derived.values().forEach(Map::clear);
      identityEntries = 1;
    }
    m.put(in, out);
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
