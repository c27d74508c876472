package syslens.tsdb.head;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import syslens.storage.Appender;
import syslens.storage.LabelRules;
import syslens.storage.Labels;
import syslens.storage.Querier;

/**
 * The in-memory head: series keyed by labels (each with a numeric ref), a postings index and
 * per-series chunks.
 *
 * <p>Concurrency: series lookup is lock-free (ConcurrentHashMap); series creation takes the
 * postings write lock; each series guards its chunks with its own monitor; commits are serialized
 * by one commit lock (check, log, apply) while the fsync runs outside it so concurrent commits
 * share it.
 *
 * <p>Seam for blocks, compaction and retention: {@link #minTime()}/{@link #maxTime()} tell what
 * the head covers and {@link #series()} + {@link MemSeries#closedChunks()} hand out immutable
 * closed chunks. A block writer will persist closed chunks older than some cut-off, then a
 * head-truncation step (not built yet) drops them and empty series, and the WAL writes a
 * checkpoint and deletes older segments. Queriers then merge block queriers with this head's.
 */
public final class Head {
  /** Returned by {@link #getOrCreate} when a new series would exceed {@code maxSeries}. */
  static final MemSeries OVER_LIMIT = new MemSeries(-1, Labels.empty(), 1);

  private final int chunkSize;
  private final int maxSeries;
  private final CommitLog log;
  private final ConcurrentHashMap<Labels, MemSeries> byLabels = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, MemSeries> byRef = new ConcurrentHashMap<>();
  private final Postings postings = new Postings();
  private final Object createLock = new Object();
  private final ReentrantLock commitLock = new ReentrantLock();
  private long nextRef = 1;
  private volatile long minTime = Long.MAX_VALUE;
  private volatile long maxTime = Long.MIN_VALUE;

  final LongAdder samplesAppended = new LongAdder();
  final LongAdder rejectedOutOfOrder = new LongAdder();
  final LongAdder rejectedDuplicate = new LongAdder();
  final LongAdder rejectedInvalid = new LongAdder();
  final LongAdder rejectedLimit = new LongAdder();

  private Head(int chunkSize, int maxSeries, CommitLog log) {
    this.chunkSize = chunkSize;
    this.maxSeries = maxSeries;
    this.log = log;
  }

  /** A head cutting chunks at {@code chunkSize} samples and logging commits to {@code log}. */
  public static Head create(int chunkSize, CommitLog log) {
    return create(chunkSize, Integer.MAX_VALUE, log);
  }

  /**
   * As {@link #create(int, CommitLog)}, refusing new series beyond {@code maxSeries} (samples of
   * existing series are still taken; WAL replay is never refused).
   */
  public static Head create(int chunkSize, int maxSeries, CommitLog log) {
    requireNonNull(log, "log");
    if (chunkSize < 1 || chunkSize > 0xffff) {
      throw new IllegalArgumentException("chunkSize: " + chunkSize + " (expected: 1..65535)");
    }
    if (maxSeries < 1) {
      throw new IllegalArgumentException("maxSeries: " + maxSeries + " (expected: >= 1)");
    }
    return new Head(chunkSize, maxSeries, log);
  }

  public Appender appender() {
    return new HeadAppender(this);
  }

  public Querier querier(long mint, long maxt) {
    return new HeadQuerier(this, mint, maxt);
  }

  /** Oldest sample in the head, Long.MAX_VALUE when empty. */
  public long minTime() {
    return minTime;
  }

  /** Newest sample in the head, Long.MIN_VALUE when empty. */
  public long maxTime() {
    return maxTime;
  }

  public int numSeries() {
    return byRef.size();
  }

  public long samplesAppended() {
    return samplesAppended.sum();
  }

  public long rejectedOutOfOrder() {
    return rejectedOutOfOrder.sum();
  }

  public long rejectedDuplicate() {
    return rejectedDuplicate.sum();
  }

  public long rejectedInvalid() {
    return rejectedInvalid.sum();
  }

  /** Samples refused because their new series would have exceeded the series limit. */
  public long rejectedLimit() {
    return rejectedLimit.sum();
  }

  /** Seam for blocks: every series (a live view; each series locks itself). */
  public Collection<MemSeries> series() {
    return Collections.unmodifiableCollection(byRef.values());
  }

  MemSeries series(long ref) {
    return byRef.get(ref);
  }

  Postings postings() {
    return postings;
  }

  /**
   * The series for labels, created when new; null (and counted) when the labels are invalid;
   * {@link #OVER_LIMIT} (counted) when creating it would exceed the series limit.
   */
  MemSeries getOrCreate(Labels labels) {
    MemSeries s = byLabels.get(labels);
    if (s != null) {
      return s;
    }
    if (LabelRules.validate(labels) != null) {
      rejectedInvalid.increment();
      return null;
    }
    synchronized (createLock) {
      s = byLabels.get(labels);
      if (s == null) {
        if (byRef.size() >= maxSeries) {
          rejectedLimit.increment();
          return OVER_LIMIT;
        }
        s = register(nextRef++, labels);
      }
      return s;
    }
  }

  private MemSeries register(long ref, Labels labels) {
    MemSeries s = new MemSeries(ref, labels, chunkSize);
    postings.add(ref, labels);
    byRef.put(ref, s);
    byLabels.put(labels, s);
    return s;
  }

  /** WAL replay: recreates a series with its logged ref. Returns false if the labels clash. */
  public boolean replaySeries(long ref, Labels labels) {
    requireNonNull(labels, "labels");
    synchronized (createLock) {
      MemSeries existing = byLabels.get(labels);
      if (existing != null || byRef.containsKey(ref)) {
        return existing != null && existing.ref() == ref;
      }
      MemSeries s = register(ref, labels);
      s.logged = true;
      nextRef = Math.max(nextRef, ref + 1);
      return true;
    }
  }

  /** WAL replay: applies one logged sample. False when the ref is unknown or it is not in order. */
  public boolean replaySample(long ref, long t, double v) {
    MemSeries s = byRef.get(ref);
    if (s == null || s.check(t, Double.doubleToRawLongBits(v)) != MemSeries.Check.APPEND) {
      return false;
    }
    s.append(t, v);
    extendTime(t);
    return true;
  }

  private void extendTime(long t) {
    if (t < minTime) {
      minTime = t;
    }
    if (t > maxTime) {
      maxTime = t;
    }
  }

  /** Checks staged samples again (other appenders may have committed), logs, applies, syncs. */
  void commit(MemSeries[] series, long[] ts, double[] vs, int n) {
    if (n == 0) {
      return;
    }
    long position;
    commitLock.lock();
    try {
      MemSeries[] okSeries = new MemSeries[n];
      long[] okTs = new long[n];
      double[] okVs = new double[n];
      int ok = 0;
      List<MemSeries> newSeries = new ArrayList<>();
      Set<MemSeries> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      for (int i = 0; i < n; i++) {
        MemSeries s = series[i];
        switch (s.check(ts[i], Double.doubleToRawLongBits(vs[i]))) {
          case APPEND -> {
            okSeries[ok] = s;
            okTs[ok] = ts[i];
            okVs[ok] = vs[i];
            ok++;
            if (!s.logged && seen.add(s)) {
              newSeries.add(s);
            }
          }
          case NOOP -> { }
          case OUT_OF_ORDER -> rejectedOutOfOrder.increment();
          case DUPLICATE -> rejectedDuplicate.increment();
        }
      }
      if (ok == 0) {
        return;
      }
      try {
        position = log.write(newSeries, okSeries, okTs, okVs, ok);
      } catch (IOException e) {
        throw new UncheckedIOException("commit of " + ok + " samples: WAL write failed", e);
      }
      for (MemSeries s : newSeries) {
        s.logged = true;
      }
      for (int i = 0; i < ok; i++) {
        okSeries[i].append(okTs[i], okVs[i]);
        extendTime(okTs[i]);
      }
      samplesAppended.add(ok);
    } finally {
      commitLock.unlock();
    }
    try {
      log.sync(position);
    } catch (IOException e) {
      throw new UncheckedIOException("commit: WAL fsync failed", e);
    }
  }
}
