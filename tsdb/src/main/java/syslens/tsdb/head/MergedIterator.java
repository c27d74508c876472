package syslens.tsdb.head;

import java.util.List;
import syslens.storage.SampleIterator;

/**
 * Merges sorted sample iterators by timestamp; of samples with the same timestamp the one from
 * the earliest iterator in the list is kept (so replays and overlaps never double data).
 */
final class MergedIterator implements SampleIterator {
  private final SampleIterator[] its;
  private final boolean[] has;
  private boolean started;
  private int cur = -1;

  MergedIterator(List<SampleIterator> iterators) {
    this.its = iterators.toArray(SampleIterator[]::new);
    this.has = new boolean[its.length];
  }

  @Override
  public boolean next() {
    if (!started) {
      started = true;
      for (int i = 0; i < its.length; i++) {
        has[i] = its[i].next();
      }
    } else if (cur >= 0) {
      long t = its[cur].timestamp();
      for (int i = 0; i < its.length; i++) {
        if (has[i] && its[i].timestamp() == t) {
          has[i] = its[i].next(); // drop every sample at the timestamp just returned
        }
      }
    }
    return pick();
  }

  @Override
  public boolean seek(long t) {
    if (started && cur >= 0 && its[cur].timestamp() >= t) {
      return true;
    }
    started = true;
    for (int i = 0; i < its.length; i++) {
      has[i] = its[i].seek(t);
    }
    return pick();
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
  public long timestamp() {
    check();
    return its[cur].timestamp();
  }

  @Override
  public double value() {
    check();
    return its[cur].value();
  }

  private void check() {
    if (cur < 0) {
      throw new IllegalStateException("iterator: not on a sample (expected: next() or seek() returned true)");
    }
  }
}
