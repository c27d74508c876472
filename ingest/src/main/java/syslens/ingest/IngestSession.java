package syslens.ingest;

import io.micrometer.core.instrument.Counter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.LabelRules;
import syslens.storage.Labels;
import syslens.storage.StorageException;

/**
 * One source's stream of batches through the pipeline. Keeps the series it has resolved (the
 * sender's label list to the storage labels, built and validated once), and for round sources
 * what staleness needs. Not thread-safe: one writer at a time.
 */
public final class IngestSession {
  private static final Logger log = LoggerFactory.getLogger(IngestSession.class);
  /** Bound of the label cache (cleared, not grown, beyond). */
  static final int MAX_CACHED_SERIES = 100_000;
  /** The highest series ref a session accepts ({@link SeriesInput#ref}). */
  public static final int MAX_REFS = 1 << 18;
  /** A ref whose labels were refused; why is in {@link #refProblems}. */
  private static final Labels INVALID_REF = Labels.of("__name__", "syslens_invalid_ref");

  private final IngestPipeline pipeline;
  private final Source source;
  private final SessionOptions options;
  private final Map<Object, Labels> cache = new HashMap<>();
  /**
   * The previous batch's keys and labels by position: a source sends its series in the same
   * order every time, so comparing with the key at the same position skips hashing the key.
   */
  private Object[] lastKeys = new Object[0];
  private Labels[] lastLabels = new Labels[0];
  /** Series refs defined in this session: their storage labels, or {@link #INVALID_REF}. */
  private Labels[] byRef = new Labels[0];
  private final Map<Integer, String> refProblems = new HashMap<>();
  private final RoundTracker rounds;
  private final Labels up;
  private final Counter batches;
  private final Counter samples;
  private final Counter staleMarkers;
  private long lastUpTs = Long.MIN_VALUE;
  /** Why the last series failed to resolve. */
  private String problem;
  private boolean ended;

  IngestSession(IngestPipeline pipeline, Source source, SessionOptions options) {
    this.pipeline = pipeline;
    this.source = source;
    this.options = options;
    this.rounds = options.rounds() ? new RoundTracker() : null;
    this.up = options.upSeries() ? upLabels(options) : null;
    this.batches = pipeline.counter("syslens.ingest.batches", source);
    this.samples = pipeline.counter("syslens.ingest.samples", source);
    this.staleMarkers = pipeline.counter("syslens.ingest.stale.markers", source);
  }

  public Source source() {
    return source;
  }

  /**
   * Takes in the refs that {@code in} defines (series with labels and a ref), whatever becomes of
   * the batch afterwards: a sender counts a ref as defined once it sent it. Returns the first ref
   * that a series uses without labels and that no batch of this session defined, or 0. A source
   * with refs calls this for every batch it receives, before {@link #write}.
   */
  public int define(SeriesInput in) {
    int n = in.seriesCount();
    int unknown = 0;
    for (int i = 0; i < n; i++) {
      int ref = in.ref(i);
      if (ref <= 0 || ref > MAX_REFS) {
        continue; // 0: no ref; out of range: write() refuses the batch naming it
      }
      if (in.labelCount(i) > 0) {
        if (in.labelCount(i) > LabelRules.MAX_LABELS) {
          continue; // write() refuses the batch
        }
        Labels labels = build(in, i, null);
        if (ref >= byRef.length) {
          byRef = java.util.Arrays.copyOf(byRef, Math.min(MAX_REFS + 1, Math.max(ref + 1, Math.max(64, byRef.length * 2))));
        }
        if (labels == null) {
          byRef[ref] = INVALID_REF;
          refProblems.put(ref, problem);
        } else {
          byRef[ref] = labels;
          refProblems.remove(ref);
        }
      } else if (unknown == 0 && (ref >= byRef.length || byRef[ref] == null)) {
        unknown = ref;
      }
    }
    return unknown;
  }

  /**
   * Validates, appends and durably commits one batch; returns what became of it. Never throws for
   * bad input or storage trouble: those are {@link WriteResult.Status#INVALID} and
   * {@link WriteResult.Status#UNAVAILABLE}.
   */
  public WriteResult write(SeriesInput in) {
    if (ended) {
      throw new IllegalStateException("session of " + source + " has ended");
    }
    long total = 0;
    long batchTs = Long.MIN_VALUE;
    int n = in.seriesCount();
    int widest = -1; // the series with the most samples: its stamps are the rounds of a merged batch
    int widestSamples = 0;
    if (n > options.maxSeries()) {
      return invalid(in, "series: " + n + " (expected: <= " + options.maxSeries() + " per batch)");
    }
    for (int i = 0; i < n; i++) {
      int k = in.sampleCount(i);
      int ref = in.ref(i);
      if (ref < 0 || ref > MAX_REFS) {
        return invalid(in, "series " + i + ": ref " + Integer.toUnsignedString(ref) + " (expected: 0.." + MAX_REFS + ")");
      }
      if (in.labelCount(i) == 0 && ref == 0) {
        return invalid(in, "series " + i + ": no labels (expected: at least __name__)");
      }
      if (in.labelCount(i) > LabelRules.MAX_LABELS) {
        return invalid(in, "series " + i + ": " + in.labelCount(i) + " labels (expected: <= " + LabelRules.MAX_LABELS + ")");
      }
      if (k > options.maxSamplesPerSeries()) {
        return invalid(in, "series " + i + ": " + k + " samples (expected: <= " + options.maxSamplesPerSeries() + ")");
      }
      total += k;
      if (k > widestSamples) {
        widest = i;
        widestSamples = k;
      }
      for (int j = 0; j < k; j++) {
        batchTs = Math.max(batchTs, in.timestamp(i, j));
      }
    }
    if (total > options.maxSamples()) {
      return invalid(in, "samples: " + total + " (expected: <= " + options.maxSamples() + " per batch)");
    }
    Appender app = appender();
    int markers = rounds != null && batchTs != Long.MIN_VALUE ? rounds.begin(batchTs, app) : 0;
    int[] byStatus = new int[IngestPipeline.REASONS.length];
    Labels[] written = new Labels[n];
    for (int i = 0; i < n; i++) {
      Labels labels = resolve(in, i);
      int k = in.sampleCount(i);
      if (labels == null) {
        if (options.rejectBatchOnInvalidSeries()) {
          app.rollback();
          return invalid(in, "series " + i + ": " + problem, "invalid_labels");
        }
        byStatus[AppendStatus.INVALID_LABELS.ordinal()] += k;
        for (int j = 0; j < k; j++) {
          in.outcome(i, j, AppendStatus.INVALID_LABELS);
        }
        continue;
      }
      written[i] = labels;
      long newest = Long.MIN_VALUE;
      for (int j = 0; j < k; j++) {
        long t = in.timestamp(i, j);
        AppendStatus st = app.append(labels, t, in.value(i, j));
        byStatus[st.ordinal()]++;
        in.outcome(i, j, st);
        newest = Math.max(newest, t);
      }
      if (rounds != null && k > 0) {
        int ref = in.ref(i);
        if (ref > 0) {
          rounds.sawRef(ref, labels, newest);
        } else {
          rounds.saw(labels, newest);
        }
      }
    }
    if (up != null && batchTs != Long.MIN_VALUE && batchTs > lastUpTs) {
      // A batch of several rounds (an agent replaying its backlog) gets `up` at each of them.
      for (int j = 0; widestSamples > 1 && j < widestSamples; j++) {
        long t = in.timestamp(widest, j);
        if (t > lastUpTs && t < batchTs) {
          app.append(up, t, 1);
        }
      }
      app.append(up, batchTs, 1);
    }
    try {
      app.commit();
    } catch (StorageException e) {
      pipeline.rejected(source, "storage_unavailable", total);
      log.error("batch of {} not stored: {}", source, e.getMessage());
      return WriteResult.unavailable("server storage unavailable, batch not stored: " + e.getMessage());
    }
    if (up != null && batchTs > lastUpTs) {
      lastUpTs = batchTs;
    }
    staleMarkers.increment(markers);
    Map<String, Integer> refusedBy = new TreeMap<>();
    int refused = 0;
    for (int s = 0; s < byStatus.length; s++) {
      if (s != AppendStatus.OK.ordinal() && byStatus[s] > 0) {
        refused += byStatus[s];
        refusedBy.put(IngestPipeline.REASONS[s], byStatus[s]);
        pipeline.rejected(source, IngestPipeline.REASONS[s], byStatus[s]);
      }
    }
    int accepted = byStatus[AppendStatus.OK.ordinal()];
    batches.increment();
    samples.increment(accepted);
    publish(in, written);
    return new WriteResult(WriteResult.Status.STORED, null, accepted, refused, refusedBy);
  }

  /**
   * The server is stopping, not the source going away: no staleness markers and no {@code up} 0
   * (as Prometheus writes none on its own shutdown), so a server restart does not end the
   * source's series, resolve their alerts and fire them again. Later writes are refused.
   */
  public void abandon() {
    ended = true;
  }

  /**
   * The source went away: for round sources, marks every series it still has stale and writes
   * {@code up} 0 (best effort: a storage failure is logged). Later writes are refused.
   */
  public void end() {
    if (ended) {
      return;
    }
    ended = true;
    if (rounds == null && up == null) {
      return;
    }
    Appender app = appender();
    int markers = rounds != null ? rounds.end(app) : 0;
    if (up != null && lastUpTs != Long.MIN_VALUE) {
      app.append(up, Math.max(pipeline.clock().millis(), lastUpTs + 1), 0);
    }
    try {
      app.commit();
      staleMarkers.increment(markers);
    } catch (StorageException e) {
      log.warn("staleness markers of {} not stored: {}", source, e.getMessage());
    }
    if (options.identity() != null) {
      for (IngestListener l : pipeline.listeners()) {
        l.ended(source, options.identity());
      }
    }
  }

  private Appender appender() {
    return options.sourceSeriesLimit() ? pipeline.storage().appender(source.id()) : pipeline.storage().appender();
  }

  private WriteResult invalid(SeriesInput in, String reason) {
    return invalid(in, reason, "invalid_batch");
  }

  /** Refuses the whole batch, counting its samples under {@code counted}. */
  private WriteResult invalid(SeriesInput in, String reason, String counted) {
    long n = 0;
    for (int i = 0; i < in.seriesCount(); i++) {
      n += in.sampleCount(i);
    }
    pipeline.rejected(source, counted, n);
    return WriteResult.invalid(reason);
  }

  /** The storage labels of series {@code i}, or null with {@link #problem} set. */
  private Labels resolve(SeriesInput in, int i) {
    int ref = in.ref(i);
    if (ref > 0) {
      if (ref >= byRef.length || byRef[ref] == null) {
        if (in.labelCount(i) == 0) {
          problem = "unknown series ref " + ref + " (expected: a ref defined with its labels earlier in the session)";
          return null;
        }
        define(in); // a caller that did not define first
      }
      Labels labels = byRef[ref];
      if (labels == INVALID_REF) {
        problem = refProblems.get(ref);
        return null;
      }
      return labels;
    }
    Object key = in.key(i);
    if (key == null) {
      return build(in, i, null);
    }
    if (i < lastKeys.length && key.equals(lastKeys[i])) {
      return lastLabels[i];
    }
    Labels labels = cache.get(key);
    if (labels == null) {
      labels = build(in, i, key);
      if (labels == null) {
        return null;
      }
    }
    if (i >= lastKeys.length && i < options.maxSeries()) {
      int size = Math.min(options.maxSeries(), Math.max(16, Math.max(i + 1, lastKeys.length * 2)));
      lastKeys = java.util.Arrays.copyOf(lastKeys, size);
      lastLabels = java.util.Arrays.copyOf(lastLabels, size);
    }
    lastKeys[i] = key;
    lastLabels[i] = labels;
    return labels;
  }

  /** Builds and validates series i's storage labels (cached under key when not null), or null. */
  private Labels build(SeriesInput in, int i, Object key) {
    Labels.Builder b = Labels.builder();
    options.defaults().forEach(b::set);
    int n = in.labelCount(i);
    // a series has a handful of labels: a scan of the earlier names beats hashing them into a set
    Set<String> names = n > 16 ? new HashSet<>(n * 2) : null;
    for (int k = 0; k < n; k++) {
      String name = in.labelName(i, k);
      String reserved = ReservedLabels.problem(name);
      if (reserved != null) {
        problem = reserved;
        return null;
      }
      if (names != null ? !names.add(name) : seenBefore(in, i, k, name)) {
        problem = "duplicate label name \"" + ReservedLabels.abbreviate(name) + "\" (expected: each name once per series)";
        return null;
      }
      b.set(name, in.labelValue(i, k));
    }
    options.overrides().forEach(b::set);
    Identity id = in.identity(i);
    if (id == null) {
      id = options.identity();
    }
    if (id != null) {
      b.set("node", id.node()).set("instance", id.instance());
    } else if (pipeline.isAgentNode(b.get("node"))) {
      b.set("exported_node", b.get("node")).remove("node"); // an agent's series are its own to write
    }
    Labels labels = b.build().interned(); // the same strings storage keeps: cheap lookups
    problem = LabelRules.validate(labels);
    if (problem != null) {
      return null;
    }
    labels = pipeline.storage().stored(labels); // storage's instance when it has the series: one copy, not two
    if (key != null) {
      if (cache.size() >= MAX_CACHED_SERIES) {
        cache.clear();
      }
      cache.put(key, labels);
    }
    return labels;
  }

  /** Whether one of the series' first {@code k} label names is {@code name}. */
  private static boolean seenBefore(SeriesInput in, int i, int k, String name) {
    for (int j = 0; j < k; j++) {
      if (name.equals(in.labelName(i, j))) {
        return true;
      }
    }
    return false;
  }

  private void publish(SeriesInput in, Labels[] written) {
    if (pipeline.listeners().isEmpty()) {
      return;
    }
    Published p = new Published(in, written, options.identity());
    for (IngestListener l : pipeline.listeners()) {
      l.committed(source, p);
    }
  }

  private static Labels upLabels(SessionOptions o) {
    return upLabels(o.defaults(), o.overrides(), o.identity());
  }

  /** {@code up} of a node: its labels, {@code node} and {@code instance}. */
  static Labels upLabels(Map<String, String> defaults, Map<String, String> overrides, Identity id) {
    Labels.Builder b = Labels.builder();
    defaults.forEach(b::set);
    overrides.forEach(b::set);
    return b.set(Labels.METRIC_NAME, "up").set("node", id.node()).set("instance", id.instance()).build().interned();
  }

  /** The newest sample of each written series, read from the batch in place. */
  private static final class Published implements IngestListener.Committed {
    private final SeriesInput in;
    private final int[] index;
    private final Labels[] labels;
    private final Identity identity;
    private final int size;

    Published(SeriesInput in, Labels[] written, Identity identity) {
      this.in = in;
      this.identity = identity;
      this.index = new int[written.length];
      this.labels = new Labels[written.length];
      int m = 0;
      for (int i = 0; i < written.length; i++) {
        if (written[i] != null && in.sampleCount(i) > 0) {
          index[m] = i;
          labels[m++] = written[i];
        }
      }
      this.size = m;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public String node(int i) {
      Identity id = in.identity(index[i]);
      return id != null ? id.node() : identity != null ? identity.node() : null;
    }

    @Override
    public Labels labels(int i) {
      return labels[i];
    }

    @Override
    public long timestamp(int i) {
      return in.timestamp(index[i], in.sampleCount(index[i]) - 1);
    }

    @Override
    public double value(int i) {
      return in.value(index[i], in.sampleCount(index[i]) - 1);
    }
  }
}
