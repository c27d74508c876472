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
  /** The staging arrays, taken from the head's pool at the first append, given back at commit or rollback. */
  private Scratch scratch;
  private MemSeries[] series;
  private long[] ts;
  private double[] vs;
  private int n;
  /** Index of the newest staged sample per series. */
  private SeriesIndex lastStaged;
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
    if (scratch == null) {
      take();
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
    long window = head.options().outOfOrderWindowMillis();
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
      scratch.series = series;
      scratch.ts = ts;
      scratch.vs = vs;
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
    if (scratch == null) {
      head.commit(null, null, null, 0, fresh.values());
      clear();
      return;
    }
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
    if (scratch != null) {
      Arrays.fill(series, 0, n, null);
      lastStaged.clear();
      head.giveBack(scratch);
      scratch = null;
      series = null;
      ts = null;
      vs = null;
      lastStaged = null;
    }
    n = 0;
    fresh.clear();
    prevLabels = null;
    prevSeries = null;
  }

  private void take() {
    scratch = head.takeScratch();
    series = scratch.series;
    ts = scratch.ts;
    vs = scratch.vs;
    lastStaged = scratch.lastStaged;
  }

  /**
   * Staging arrays and index of one appender at a time. An ingest session takes a new appender
   * per batch; without reuse each batch grew its arrays from 64 entries by doubling (a 4,800-sample
   * batch copied them seven times) and rehashed its index as often.
   */
  static final class Scratch {
    MemSeries[] series = new MemSeries[64];
    long[] ts = new long[64];
    double[] vs = new double[64];
    final SeriesIndex lastStaged = new SeriesIndex();

    /** Samples these arrays hold (the larger of the arrays' and the index's capacity). */
    int capacity() {
      return Math.max(series.length, lastStaged.capacity() / 2);
    }
  }
}
