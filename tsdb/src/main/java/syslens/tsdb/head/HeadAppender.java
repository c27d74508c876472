package syslens.tsdb.head;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;

/**
 * Stages samples for one commit. Each sample is checked against the series' newest logged
 * sample and against samples staged earlier in this batch; the head checks again at commit (a
 * concurrent commit may have moved the series on) and counts what it drops then. New series are
 * only staged here (holding a reservation against the series limits) and registered by the
 * commit, so a rolled-back or failed commit leaves no series behind.
 */
final class HeadAppender implements Appender {
  private final Head head;
  private final String source;
  private MemSeries[] series = new MemSeries[64];
  private long[] ts = new long[64];
  private double[] vs = new double[64];
  private int n;
  /** Index of the newest staged sample per series. */
  private final SeriesIndex lastStaged = new SeriesIndex();
  /** New series staged by this appender, by labels. */
  private final Map<Labels, MemSeries> fresh = new HashMap<>();
  private final AppendStatus[] status = new AppendStatus[1];
  /**
   * The series of the previous append, by identity of its labels: a writer appends a series'
   * samples one after another with the same labels instance, so only the first takes a lookup.
   */
  private Labels prevLabels;
  private MemSeries prevSeries;

  HeadAppender(Head head, String source) {
    this.head = head;
    this.source = source;
  }

  @Override
  public AppendStatus append(Labels labels, long timestampMs, double value) {
    requireNonNull(labels, "labels");
    AppendStatus bounds = head.checkBounds(timestampMs);
    if (bounds != AppendStatus.OK) {
      return bounds;
    }
    MemSeries s = labels == prevLabels ? prevSeries : head.lookup(labels);
    if (s == null) {
      s = fresh.get(labels);
      if (s == null) {
        s = head.stageNew(labels, source, status);
        if (s == null) {
          return status[0];
        }
        fresh.put(labels, s);
      }
    }
    prevLabels = labels;
    prevSeries = s;
    long bits = Double.doubleToRawLongBits(value);
    int last = lastStaged.get(s);
    long window = head.outOfOrderWindowMillis();
    MemSeries.Check check = last != SeriesIndex.ABSENT
        ? MemSeries.checkAgainst(timestampMs, bits, ts[last], Double.doubleToRawLongBits(vs[last]), window)
        : s.check(timestampMs, bits, window);
    switch (check) {
      case APPEND_OUT_OF_ORDER -> {
        stage(s, timestampMs, value, false); // staged like any sample, but not as the series' newest
        return AppendStatus.OK;
      }
      case APPEND -> {
        stage(s, timestampMs, value, true);
        return AppendStatus.OK;
      }
      case NOOP -> {
        if (last == SeriesIndex.ABSENT) {
          stage(s, timestampMs, value, true); // the commit waits until the stored copy is durable
        }
        return AppendStatus.OK;
      }
      case OUT_OF_ORDER -> {
        head.rejectedOutOfOrder.increment();
        return AppendStatus.OUT_OF_ORDER;
      }
      default -> {
        head.rejectedDuplicate.increment();
        return AppendStatus.DUPLICATE_TIMESTAMP;
      }
    }
  }

  /** Stages a sample; {@code newest}: as the series' newest (the commit routes the rest by its check). */
  private void stage(MemSeries s, long t, double v, boolean newest) {
    if (n == series.length) {
      series = Arrays.copyOf(series, n * 2);
      ts = Arrays.copyOf(ts, n * 2);
      vs = Arrays.copyOf(vs, n * 2);
    }
    series[n] = s;
    ts[n] = t;
    vs[n] = v;
    if (newest) {
      lastStaged.put(s, n);
    }
    n++;
  }

  @Override
  public void commit() {
    try {
      head.commit(series, ts, vs, n, fresh.values());
    } finally {
      clear();
    }
  }

  @Override
  public void rollback() {
    head.release(fresh.values());
    clear();
  }

  private void clear() {
    Arrays.fill(series, 0, n, null);
    n = 0;
    lastStaged.clear();
    fresh.clear();
    prevLabels = null;
    prevSeries = null;
  }
}
