package syslens.storage;

import java.util.List;

/**
 * Merges sample iterators that are each sorted by time into one; of samples with equal
 * timestamps the one from the earliest iterator in the list is kept, once (so overlapping blocks,
 * out-of-order runs and replays never double data).
 */
public final class MergedSampleIterator implements SampleIterator {
  private final SampleIterator[] its;
  private final boolean[] has;
  private boolean started;
  private int cur = -1;

  private MergedSampleIterator(List<SampleIterator> its) {
    this.its = its.toArray(new SampleIterator[0]);
    this.has = new boolean[this.its.length];
  }

  private boolean pick() {
    cur = -1;
    for (int i = 0; i < its.length; i++) {
      if (has[i] && (cur < 0 || its[i].timestamp() < its[cur].timestamp())) {
        cur = i;
      }
    }
    return cur >= 0;
  }

  @Override
  public boolean next() {
    if (!started) {
      started = true;
      for (int i = 0; i < its.length; i++) {
        has[i] = its[i].next();
      }
      return pick();
    }
    if (cur < 0) {
      return false;
    }
    long t = its[cur].timestamp();
    for (int i = 0; i < its.length; i++) {
      if (has[i] && its[i].timestamp() == t) {
        has[i] = its[i].next();
      }
    }
    return pick();
  }

  @Override
  public boolean seek(long t) {
    if (started && cur < 0) {
      return false;
    }
    if (started && its[cur].timestamp() >= t) {
      return true;
    }
    for (int i = 0; i < its.length; i++) {
      if (!started || has[i]) {
        has[i] = its[i].seek(t);
      }
    }
    started = true;
    return pick();
  }

  @Override
  public long timestamp() {
    return its[cur].timestamp();
  }

  @Override
  public double value() {
    return its[cur].value();
  }

  /** One iterator over all of {@code its}, in time order, equal timestamps once. */
  public static SampleIterator of(List<SampleIterator> its) {
    return its.size() == 1 ? its.get(0) : new MergedSampleIterator(its);
  }
}
