package syslens.tsdb.head;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.LabelRules;
import syslens.storage.Labels;
import syslens.storage.Querier;
import syslens.storage.StorageException;

/**
 * The in-memory head: series keyed by labels (each with a numeric ref), a postings index and
 * per-series chunks.
 *
 * <p>Commit protocol (an acknowledgement is a promise, DESIGN §9): under the commit lock a commit
 * resolves its new series, checks its samples against each series' newest <em>logged</em> sample,
 * writes them to the log and queues them; outside the lock it waits for the fsync that covers
 * them (group commit) and then applies every queued commit that is durable, in log order, to the
 * chunks. A staged sample identical to the newest logged one is not logged again, but the commit
 * still waits for the position that holds it. When an fsync fails, the commits it covered are
 * dropped from the queue, their series roll back to what was applied (so a resend is logged
 * again), series that never got a durable sample are removed, and the log recovers.
 *
 * <p>Concurrency: series lookup is an optimistic read ({@link SeriesMap}); series are created and removed
 * under the commit lock; each series guards its chunks with its own monitor.
 */
public final class Head {
  private final HeadOptions opts;
  private final CommitLog log;
  /** Every registered series, by ref and by labels. */
  private final SeriesMap byRef;
  private final Postings postings = new Postings();
  private final ReentrantLock commitLock = new ReentrantLock();
  private final ReentrantLock applyLock = new ReentrantLock();
  /** Scratch of {@link #commit}: newest accepted sample per series; guarded by commitLock. */
  private final SeriesIndex commitNewest = new SeriesIndex();
  /** Logged commits not yet applied, in log order; guarded by applyLock. */
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  /** New series staged by appenders but not yet registered (they count toward the limit). */
  private final AtomicInteger reserved = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perSource = new ConcurrentHashMap<>();
  private long nextRef = 1;
  private static final int MAX_REPLAY_SCRATCH = 4096;
  /** Series of the record being replayed ({@link #replaySamples}); only the opening thread uses it. */
  private MemSeries[] replayScratch = new MemSeries[0];
  /** Series loaded or replayed that may hold no sample (what {@link #dropEmptySeries} looks for). */
  private int maybeEmpty;
  private volatile long minTime = Long.MAX_VALUE;
  private volatile long maxTime = Long.MIN_VALUE;
  private volatile long minValidTime = Long.MIN_VALUE;

  final LongAdder samplesAppended = new LongAdder();
  final LongAdder rejectedOutOfOrder = new LongAdder();
  final LongAdder rejectedDuplicate = new LongAdder();
  final LongAdder rejectedInvalid = new LongAdder();
  final LongAdder rejectedLimit = new LongAdder();
  final LongAdder rejectedSourceLimit = new LongAdder();
  final LongAdder rejectedOutOfBounds = new LongAdder();
  private final LongAdder lostSamples = new LongAdder();
  private final LongAdder outOfOrderAppended = new LongAdder();
  private final LongAdder replayDropped = new LongAdder();

  /** One logged commit waiting for its fsync before it is applied. */
  private record Pending(long pos, MemSeries[] series, long[] ts, double[] vs, boolean[] ooo,
      int n, List<MemSeries> newSeries) {}

  private Head(HeadOptions opts, CommitLog log) {
    this.opts = opts;
    this.log = log;
    this.byRef = new SeriesMap(opts.expectedSeries());
  }

  /** A head cutting chunks at {@code chunkSize} samples and logging commits to {@code log}. */
  public static Head create(int chunkSize, CommitLog log) {
    return create(HeadOptions.builder().chunkSize(chunkSize).build(), log);
  }

  public static Head create(HeadOptions opts, CommitLog log) {
    return new Head(requireNonNull(opts, "opts"), requireNonNull(log, "log"));
  }

  public Appender appender() {
    return new HeadAppender(this, null);
  }

  /** Staging scratch kept for the next appenders: at most this many. */
  static final int SCRATCH_POOL = 8;
  /** Scratch staging more samples than this is dropped after use rather than kept (~0.3 MB each). */
  static final int SCRATCH_MAX_SAMPLES = 8192;
  private final AtomicReferenceArray<HeadAppender.Scratch> scratchPool = new AtomicReferenceArray<>(SCRATCH_POOL);

  /** Staging arrays for an appender: a pooled set when one is free, else new ones. */
  HeadAppender.Scratch takeScratch() {
    for (int i = 0; i < SCRATCH_POOL; i++) {
      HeadAppender.Scratch s = scratchPool.get(i);
      if (s != null && scratchPool.compareAndSet(i, s, null)) {
        return s;
      }
    }
    return new HeadAppender.Scratch();
  }

  /** An appender is done with {@code s} (cleared): kept for the next one unless the pool is full or it is large. */
  void giveBack(HeadAppender.Scratch s) {
    if (s.capacity() > SCRATCH_MAX_SAMPLES) {
      return;
    }
    for (int i = 0; i < SCRATCH_POOL; i++) {
      if (scratchPool.get(i) == null && scratchPool.compareAndSet(i, null, s)) {
        return;
      }
    }
  }

  /** An appender whose new series count against {@code source}'s series limit. */
  public Appender appender(String source) {
    return new HeadAppender(this, requireNonNull(source, "source"));
  }

  public Querier querier(long mint, long maxt) {
    return new HeadQuerier(this, mint, maxt);
  }

  /** Oldest applied sample in the head, Long.MAX_VALUE when empty. */
  public long minTime() {
    return minTime;
  }

  /** Newest applied sample in the head, Long.MIN_VALUE when empty. */
  public long maxTime() {
    return maxTime;
  }

  HeadOptions options() {
    return opts;
  }

  /** Samples older than this are refused with OUT_OF_BOUNDS (set when blocks take over a range). */
  public void minValidTime(long t) {
    minValidTime = t;
  }

  public long minValidTime() {
    return minValidTime;
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

  /** Samples refused because their new series would have exceeded their source's limit. */
  public long rejectedSourceLimit() {
    return rejectedSourceLimit.sum();
  }

  /** Samples refused as too far in the future or older than the writable range. */
  public long rejectedOutOfBounds() {
    return rejectedOutOfBounds.sum();
  }

  /** Samples taken out of order (within the out-of-order window). */
  public long outOfOrderAppended() {
    return outOfOrderAppended.sum();
  }

  /** Samples of commits that failed their fsync and were dropped (never acknowledged). */
  public long lostSamples() {
    return lostSamples.sum();
  }

  /** WAL replay: samples dropped (unknown series ref, or out of order). */
  public long replayDropped() {
    return replayDropped.sum();
  }

  /** Seam for blocks: every series (a snapshot; each series locks itself). */
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
   * The registered series of {@code labels}, or null. Remembers it on the labels instance, so an
   * appender that passes the same instance again (an ingest session's cached labels) skips the
   * hash lookup.
   */
  MemSeries lookup(Labels labels) {
    if (labels.storageMemo() instanceof MemSeries m && m.head == this && !m.removed) {
      return m;
    }
    MemSeries s = byRef.get(labels);
    if (s != null) {
      labels.storageMemo(s);
    }
    return s;
  }

  /**
   * The head's own instance of {@code labels} when it holds their series (remembering the series
   * on it, so appends with it skip the lookup), else {@code labels}.
   */
  public Labels stored(Labels labels) {
    MemSeries s = lookup(labels);
    if (s == null) {
      return labels;
    }
    Labels own = s.labels();
    if (own != labels) {
      own.storageMemo(s);
    }
    return own;
  }

  /** OK, or OUT_OF_BOUNDS (counted) when {@code t} is too far in the future or too old. */
  AppendStatus checkBounds(long t) {
    if (t < minValidTime || t > opts.clock().millis() + opts.maxFutureMillis()) {
      rejectedOutOfBounds.increment();
      return AppendStatus.OUT_OF_BOUNDS;
    }
    return AppendStatus.OK;
  }

  /**
   * A staged, unregistered series for new labels, holding a reservation against the global and
   * the source's series limits; or null with {@code status[0]} saying why not (counted).
   */
  MemSeries stageNew(Labels labels, String source, AppendStatus[] status) {
    if (LabelRules.validate(labels) != null) {
      rejectedInvalid.increment();
      status[0] = AppendStatus.INVALID_LABELS;
      return null;
    }
    int cur;
    do {
      cur = reserved.get();
      if (byRef.size() + cur >= opts.maxSeries()) {
        rejectedLimit.increment();
        status[0] = AppendStatus.LIMIT_EXCEEDED;
        return null;
      }
    } while (!reserved.compareAndSet(cur, cur + 1));
    if (source != null) {
      AtomicInteger c = perSource.computeIfAbsent(source, k -> new AtomicInteger());
      if (c.incrementAndGet() > opts.maxSeriesPerSource()) {
        c.decrementAndGet();
        reserved.decrementAndGet();
        rejectedSourceLimit.increment();
        status[0] = AppendStatus.LIMIT_EXCEEDED;
        return null;
      }
    }
    MemSeries s = new MemSeries(0, labels);
    s.source = source;
    s.reservation = true;
    return s;
  }

  /** Releases a staged series' reservation; {@code keepSource} when it became a real series. */
  private void release(MemSeries staged, boolean keepSource) {
    if (staged.reservation) {
      staged.reservation = false;
      reserved.decrementAndGet();
      if (!keepSource && staged.source != null) {
        perSource.get(staged.source).decrementAndGet();
      }
    }
  }

  /** Releases the reservations of staged series that will not be committed. */
  void release(Collection<MemSeries> staged) {
    for (MemSeries s : staged) {
      release(s, false);
    }
  }

  /** Under the commit lock: the registered series for a staged or removed one. */
  private MemSeries resolve(MemSeries s, List<MemSeries> created) {
    MemSeries existing = byRef.get(s.labels());
    if (existing != null) {
      release(s, false);
      return existing;
    }
    // One copy of each label string for all series (most values repeat across hosts).
    MemSeries r = new MemSeries(0, s.labels().interned());
    r.source = s.ref() == 0 ? s.source : null;
    r.assignRef(nextRef++);
    register(r);
    release(s, true);
    created.add(r);
    return r;
  }

  private void register(MemSeries s) {
    s.head = this;
    postings.add(s.ref(), s.labels());
    byRef.putIfAbsent(s);
  }

  /** Under the commit lock: drops a series that holds no applied sample. */
  private void remove(MemSeries s) {
    s.removed = true;
    byRef.remove(s);
    postings.remove(s.ref(), s.labels());
    if (s.source != null) {
      perSource.get(s.source).decrementAndGet();
    }
  }

  /**
   * WAL replay: recreates a series with its logged ref. Returns false if the labels clash. The
   * labels are kept as given: their strings should be interned (the WAL decoder's are), so that
   * series share them.
   */
  public boolean replaySeries(long ref, Labels labels) {
    requireNonNull(labels, "labels");
    MemSeries existing = byRef.get(labels);
    if (existing != null || byRef.get(ref) != null) {
      return existing != null && existing.ref() == ref;
    }
    MemSeries s = new MemSeries(ref, labels);
    register(s);
    s.logged = true;
    maybeEmpty++;
    nextRef = Math.max(nextRef, ref + 1);
    return true;
  }

  /**
   * WAL replay: applies one record's samples, {@code [0, n)} of the arrays, in order; returns how
   * many were applied. The series are looked up first, all of them, then appended to: the lookups
   * (a miss in the series table, one in the series) do not wait for each other that way.
   */
  public int replaySamples(long[] refs, long[] ts, double[] vs, int n) {
    if (replayScratch.length < n && n <= MAX_REPLAY_SCRATCH) {
      replayScratch = new MemSeries[Math.max(n, Math.min(MAX_REPLAY_SCRATCH, 2 * replayScratch.length))];
    }
    MemSeries[] found = n <= replayScratch.length ? replayScratch : new MemSeries[n]; // kept: at most 16 KiB
    for (int i = 0; i < n; i++) {
      found[i] = byRef.get(refs[i]);
    }
    int applied = 0;
    for (int i = 0; i < n; i++) {
      if (replaySample(found[i], ts[i], vs[i])) {
        applied++;
      }
      found[i] = null;
    }
    return applied;
  }

  /** WAL replay: applies one logged sample. False (counted) when the ref is unknown or it is out of order. */
  public boolean replaySample(long ref, long t, double v) {
    return replaySample(byRef.get(ref), t, v);
  }

  private boolean replaySample(MemSeries s, long t, double v) {
    if (t < minValidTime) {
      return false; // already persisted in a block
    }
    if (s == null) {
      replayDropped.increment();
      return false;
    }
    MemSeries.Check c = s.check(t, Double.doubleToRawLongBits(v), opts.outOfOrderWindowMillis());
    if (c == MemSeries.Check.APPEND_OUT_OF_ORDER) {
      s.appendOutOfOrder(t, v);
      extendTime(t);
      return true;
    }
    if (c != MemSeries.Check.APPEND) {
      if (c != MemSeries.Check.NOOP) {
        replayDropped.increment();
      }
      return false; // an identical duplicate (a resend logged twice) is idempotent
    }
    s.replay(t, v);
    extendTime(t);
    return true;
  }

  /**
   * Checkpoint load: series with their chunks and logged refs, label strings interned (as
   * {@link Checkpoint#read} returns them). Postings are built in bulk, in ref order.
   */
  public void restoreAll(List<Checkpoint.SeriesState> states) {
    Checkpoint.SeriesState[] sorted = states.toArray(new Checkpoint.SeriesState[0]);
    if (!increasingRefs(sorted)) {
      java.util.Arrays.sort(sorted, java.util.Comparator.comparingLong(Checkpoint.SeriesState::ref));
    }
    long[] refs = new long[sorted.length];
    Labels[] labels = new Labels[sorted.length];
    int n = 0;
    for (Checkpoint.SeriesState state : sorted) {
      MemSeries s = new MemSeries(state.ref(), state.labels());
      s.head = this;
      if (byRef.putIfAbsent(s) != null) {
        continue; // a ref or labels clash in a damaged file: the first one wins, as in WAL replay
      }
      refs[n] = s.ref();
      labels[n++] = s.labels();
      s.logged = true;
      List<ChunkMeta> chunks = state.chunks();
      if (!chunks.isEmpty() && chunks.get(0).maxTime() < minValidTime) {
        chunks = since(chunks); // in time order: when the first is kept, all are
      }
      s.restore(chunks, since(state.outOfOrder()), state.lastValueBits());
      if (!s.isEmpty()) {
        extendTime(s.minTime());
        extendTime(s.maxTime());
      } else {
        maybeEmpty++;
      }
      nextRef = Math.max(nextRef, state.ref() + 1);
    }
    postings.addAll(refs, labels, n);
  }

  private static boolean increasingRefs(Checkpoint.SeriesState[] states) {
    for (int i = 1; i < states.length; i++) {
      if (states[i - 1].ref() >= states[i].ref()) {
        return false;
      }
    }
    return true;
  }

  /** The chunks not yet persisted in a block (ending at or after minValidTime). */
  private List<ChunkMeta> since(List<ChunkMeta> chunks) {
    boolean all = true;
    for (ChunkMeta c : chunks) {
      all &= c.maxTime() >= minValidTime;
    }
    if (all) {
      return chunks;
    }
    List<ChunkMeta> out = new ArrayList<>(chunks.size());
    for (ChunkMeta c : chunks) {
      if (c.maxTime() >= minValidTime) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * The head as of a WAL cut, for a checkpoint: waits until everything logged is durable and
   * applied, calls {@code cut} (which starts a new WAL segment and returns its number) while no
   * commit can log, and copies every series' chunks (closed ones by reference). Commits wait for
   * the copy, not for the checkpoint's disk writes.
   */
  public Checkpoint.Loaded checkpointState(java.util.concurrent.Callable<Integer> cut) throws IOException {
    commitLock.lock();
    try {
      drainLocked();
      int segment;
      try {
        segment = cut.call();
      } catch (IOException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException("cutting the WAL for a checkpoint failed", e);
      }
      List<Checkpoint.SeriesState> out = new ArrayList<>(byRef.size());
      for (MemSeries s : byRef.values()) {
        Checkpoint.SeriesState state = s.checkpointState();
        if (state != null) {
          out.add(state);
        }
      }
      return new Checkpoint.Loaded(segment, out);
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * Before a head range is written to a block: refuses samples below {@code t} from now on
   * (OUT_OF_BOUNDS), then waits until every commit logged so far is durable and applied, so the
   * head holds everything below {@code t} that will ever be there.
   */
  public void sealBefore(long t) throws IOException {
    commitLock.lock();
    try {
      if (t > minValidTime) {
        minValidTime = t;
      }
      drainLocked();
    } finally {
      commitLock.unlock();
    }
  }

  /** Under the commit lock: syncs and applies every queued commit. */
  private void drainLocked() throws IOException {
    long last;
    applyLock.lock();
    try {
      last = pending.isEmpty() ? 0 : pending.peekLast().pos();
    } finally {
      applyLock.unlock();
    }
    if (last > 0) {
      try {
        log.sync(last);
      } catch (IOException e) {
        recoverLocked();
        throw e;
      }
    }
    applyDurable();
  }

  /**
   * After the range below {@code t} is durable in a block: drops the chunks (and out-of-order
   * samples) below it from every series, and removes series left without samples (garbage
   * collection of series that received nothing since). Returns the series removed.
   */
  public int truncateBefore(long t) throws IOException {
    commitLock.lock();
    try {
      drainLocked();
      int removed = 0;
      long newMin = Long.MAX_VALUE;
      for (MemSeries s : byRef.values()) {
        s.dropBefore(t);
        if (s.isEmpty()) {
          remove(s);
          removed++;
        } else {
          newMin = Math.min(newMin, s.minTime());
        }
      }
      minTime = newMin;
      if (byRef.isEmpty()) {
        maxTime = Long.MIN_VALUE;
      }
      return removed;
    } finally {
      commitLock.unlock();
    }
  }

  /** After replay: series that never got a sample (their samples were lost) are dropped. */
  public int dropEmptySeries() {
    commitLock.lock();
    try {
      if (maybeEmpty == 0) {
        return 0; // every series was loaded with samples
      }
      maybeEmpty = 0;
      int n = 0;
      for (MemSeries s : byRef.values()) {
        if (s.isEmpty()) {
          remove(s);
          n++;
        }
      }
      return n;
    } finally {
      commitLock.unlock();
    }
  }

  private void extendTime(long t) {
    if (t < minTime) {
      minTime = t;
    }
    if (t > maxTime) {
      maxTime = t;
    }
  }

  /**
   * Commits staged samples: resolves new series, checks, logs, waits for durability, applies.
   * Releases every reservation the appender held. Throws {@link StorageException} when the
   * samples cannot be made durable; then none of them is applied.
   */
  void commit(MemSeries[] series, long[] ts, double[] vs, int n, Collection<MemSeries> staged) {
    if (n == 0) {
      release(staged);
      return;
    }
    long need = 0;
    List<MemSeries> created = new ArrayList<>();
    commitLock.lock();
    try {
      if (log.recovering()) {
        recoverLocked();
      }
      Map<MemSeries, MemSeries> resolved = null;
      // Newest accepted sample per series in this commit (index into the ok arrays).
      SeriesIndex newest = commitNewest;
      newest.clear();
      MemSeries[] okSeries = new MemSeries[n];
      long[] okTs = new long[n];
      double[] okVs = new double[n];
      boolean[] okOoo = new boolean[n];
      int ok = 0;
      List<MemSeries> newSeries = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        MemSeries s = series[i];
        if (s.ref() == 0 || s.removed) {
          if (resolved == null) {
            resolved = new IdentityHashMap<>();
          }
          s = resolved.computeIfAbsent(s, x -> resolve(x, created));
        }
        long bits = Double.doubleToRawLongBits(vs[i]);
        int last = newest.get(s);
        long window = opts.outOfOrderWindowMillis();
        MemSeries.Check check = last == SeriesIndex.ABSENT ? s.check(ts[i], bits, window)
            : MemSeries.checkAgainst(ts[i], bits, okTs[last], Double.doubleToRawLongBits(okVs[last]), window);
        switch (check) {
          case APPEND_OUT_OF_ORDER -> {
            okSeries[ok] = s;
            okTs[ok] = ts[i];
            okVs[ok] = vs[i];
            okOoo[ok] = true;
            ok++;
          }
          case APPEND -> {
            okSeries[ok] = s;
            okTs[ok] = ts[i];
            okVs[ok] = vs[i];
            if (last == SeriesIndex.ABSENT && !s.logged) {
              newSeries.add(s);
            }
            newest.put(s, ok);
            ok++;
          }
          case NOOP -> {
            if (last == SeriesIndex.ABSENT) {
              need = Math.max(need, s.lastPos); // stored by an earlier commit: wait for its fsync
            }
          }
          case OUT_OF_ORDER -> rejectedOutOfOrder.increment();
          case DUPLICATE -> rejectedDuplicate.increment();
        }
      }
      if (ok > 0) {
        long pos;
        try {
          pos = log.write(newSeries, okSeries, okTs, okVs, ok);
        } catch (IOException e) {
          dropEmpty(created);
          throw new StorageException("commit of " + ok + " samples not stored: " + e.getMessage(), e);
        }
        for (MemSeries s : newSeries) {
          s.logged = true;
        }
        for (int k = 0; k < newest.size(); k++) {
          int i = newest.valueAt(k);
          newest.keyAt(k).logged(okTs[i], okVs[i], pos);
        }
        applyLock.lock();
        try {
          pending.add(new Pending(pos, okSeries, okTs, okVs, okOoo, ok, newSeries));
        } finally {
          applyLock.unlock();
        }
        need = Math.max(need, pos);
      } else {
        dropEmpty(created);
      }
    } finally {
      for (MemSeries s : staged) {
        release(s, false);
      }
      commitLock.unlock();
    }
    if (need > 0) {
      try {
        log.sync(need);
      } catch (IOException e) {
        recover();
        throw new StorageException("commit not stored: " + e.getMessage(), e);
      }
    }
    applyDurable();
  }

  /** Under the commit lock: removes series created by a commit that logged nothing for them. */
  private void dropEmpty(List<MemSeries> created) {
    for (MemSeries s : created) {
      if (!s.logged && s.isEmpty()) {
        remove(s);
      }
    }
  }

  /** Applies queued commits whose positions are durable, in log order. */
  private void applyDurable() {
    applyLock.lock();
    try {
      applyDurableLocked();
    } finally {
      applyLock.unlock();
    }
  }

  private void applyDurableLocked() {
    long synced = log.syncedPosition();
    while (!pending.isEmpty()) {
      Pending p = pending.peek();
      if (p.pos() > synced || log.isLost(p.pos())) {
        return;
      }
      pending.poll();
      for (int i = 0; i < p.n(); i++) {
        if (p.ooo()[i]) {
          p.series()[i].appendOutOfOrder(p.ts()[i], p.vs()[i]);
          outOfOrderAppended.increment();
        } else {
          p.series()[i].append(p.ts()[i], p.vs()[i]);
        }
        extendTime(p.ts()[i]);
      }
      samplesAppended.add(p.n());
    }
  }

  /** After a failed fsync: drops what it lost from memory, then lets the log recover. */
  private void recover() {
    commitLock.lock();
    try {
      recoverLocked();
    } finally {
      commitLock.unlock();
    }
  }

  private void recoverLocked() {
    if (!log.recovering()) {
      return;
    }
    applyLock.lock();
    try {
      applyDurableLocked(); // the log holds its synced position while recovering
      Set<MemSeries> touched = Collections.newSetFromMap(new IdentityHashMap<>());
      long dropped = 0;
      for (Pending p : pending) {
        dropped += p.n();
        for (int i = 0; i < p.n(); i++) {
          touched.add(p.series()[i]);
        }
        for (MemSeries s : p.newSeries()) {
          s.logged = false;
        }
      }
      pending.clear();
      for (MemSeries s : touched) {
        s.rollbackToApplied();
        if (s.isEmpty() && !s.removed) {
          remove(s);
        }
      }
      lostSamples.add(dropped);
    } finally {
      applyLock.unlock();
    }
    log.recover();
  }
}
