package syslens.vsphere;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import syslens.ingest.IngestSession;
import syslens.ingest.Identity;
import syslens.ingest.IngestPipeline;
import syslens.ingest.SeriesInput;
import syslens.ingest.SessionOptions;
import syslens.ingest.Source;
import syslens.ingest.WriteResult;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;
import syslens.storage.StorageException;

/**
 * The collector's samples through the ingest pipeline (one commit per batch, as agent batches),
 * each VM's or ESXi host's with its own node identity (node and instance labels, as agent series
 * carry). A series with invalid labels costs only its samples. Not under a per-source series
 * limit: one collector writes for thousands of nodes. Batches written under a stream key share
 * one ingest session, so a series' storage labels are built and validated once, not every cycle.
 */
public final class IngestSink implements SampleSink {
  private static final Source SOURCE = new Source(Source.VSPHERE, "vsphere");
  private static final SessionOptions OPTIONS = SessionOptions.builder()
      .limits(1_000_000, 1_000_000, 10_000_000).rejectBatchOnInvalidSeries(false)
      .sourceSeriesLimit(false).build();

  /** Bound on the streams kept (sessions of streams that ended are dropped when it is reached). */
  static final int MAX_STREAMS = 10_000;

  private final IngestPipeline pipeline;
  private final Map<Object, IngestSession> sessions = new ConcurrentHashMap<>();

  private IngestSink(IngestPipeline pipeline) {
    this.pipeline = requireNonNull(pipeline, "pipeline");
  }

  public static IngestSink create(IngestPipeline pipeline) {
    return new IngestSink(pipeline);
  }

  @Override
  public AppendStatus[] write(List<Sample> batch) {
    Runs runs = new Runs(batch, false);
    return outcome(pipeline.write(SOURCE, OPTIONS, runs), runs);
  }

  @Override
  public AppendStatus[] write(Object stream, List<Sample> batch) {
    requireNonNull(stream, "stream");
    IngestSession session = sessions.get(stream);
    if (session == null) {
      if (sessions.size() >= MAX_STREAMS) {
        sessions.clear();
      }
      session = sessions.computeIfAbsent(stream, k -> pipeline.open(SOURCE, OPTIONS));
    }
    Runs runs = new Runs(batch, true);
    WriteResult r;
    synchronized (session) { // a stream's batches do not overlap; this only guards a cancelled straggler
      r = session.write(runs);
    }
    return outcome(r, runs);
  }

  /** Streams with a session (for tests). */
  int streams() {
    return sessions.size();
  }

  private static AppendStatus[] outcome(WriteResult r, Runs runs) {
    if (!r.stored()) {
      throw new StorageException("vSphere batch not stored: " + r.reason(), null);
    }
    return runs.statuses;
  }

  /** What a series' resolved labels are cached under: its labels and the node it describes. */
  private record SeriesKey(Labels labels, String nodeId, String instance) {}

  /** The batch as series: runs of adjacent samples with the same labels object and node. */
  private static final class Runs implements SeriesInput {
    private final List<Sample> samples;
    private int[] starts = new int[16];
    private int series;
    private final List<Identity> identities = new ArrayList<>();
    private final boolean keyed;
    final AppendStatus[] statuses;

    Runs(List<Sample> samples, boolean keyed) {
      this.samples = samples;
      this.keyed = keyed;
      this.statuses = new AppendStatus[samples.size()];
      Sample prev = null;
      for (int i = 0; i < samples.size(); i++) {
        Sample s = samples.get(i);
        // The reader reuses one Labels per (entity, counter), so identity is the cheap test.
        if (prev == null || s.labels() != prev.labels() || !java.util.Objects.equals(s.nodeId(), prev.nodeId())) {
          start(i);
          series++;
          identities.add(identity(s));
        }
        prev = s;
      }
      start(samples.size());
    }

    private void start(int i) {
      if (series == starts.length) {
        starts = java.util.Arrays.copyOf(starts, series * 2);
      }
      starts[series] = i;
    }

    private static Identity identity(Sample s) {
      if (s.nodeId() == null) {
        return null;
      }
      String instance = s.instance() != null ? s.instance()
          : s.labels().has("vm") ? s.labels().get("vm") : s.labels().get("esxhost");
      return new Identity(s.nodeId(), instance);
    }

    private Sample sample(int series, int j) {
      return samples.get(starts[series] + j);
    }

    @Override
    public int seriesCount() {
      return series;
    }

    @Override
    public Object key(int i) {
      if (!keyed) {
        return null;
      }
      Sample s = sample(i, 0);
      return new SeriesKey(s.labels(), s.nodeId(), s.instance());
    }

    @Override
    public int labelCount(int i) {
      return sample(i, 0).labels().size();
    }

    @Override
    public String labelName(int i, int label) {
      return sample(i, 0).labels().name(label);
    }

    @Override
    public String labelValue(int i, int label) {
      return sample(i, 0).labels().value(label);
    }

    @Override
    public Identity identity(int i) {
      return identities.get(i);
    }

    @Override
    public int sampleCount(int i) {
      return starts[i + 1] - starts[i];
    }

    @Override
    public long timestamp(int i, int j) {
      return sample(i, j).timestampMs();
    }

    @Override
    public double value(int i, int j) {
      return sample(i, j).value();
    }

    @Override
    public void outcome(int i, int j, AppendStatus status) {
      statuses[starts[i] + j] = status;
    }
  }
}
