package syslens.vsphere;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import syslens.ingest.Identity;
import syslens.ingest.IngestPipeline;
import syslens.ingest.SeriesInput;
import syslens.ingest.SessionOptions;
import syslens.ingest.Source;
import syslens.ingest.WriteResult;
import syslens.storage.AppendStatus;
import syslens.storage.StorageException;

/**
 * The collector's samples through the ingest pipeline (one commit per batch, as agent batches),
 * each VM's or ESXi host's with its own node identity (node and instance labels, as agent series
 * carry). A series with invalid labels costs only its samples. Not under a per-source series
 * limit: one collector writes for thousands of nodes.
 */
public final class IngestSink implements SampleSink {
  private static final Source SOURCE = new Source(Source.VSPHERE, "vsphere");
  private static final SessionOptions OPTIONS = SessionOptions.builder()
      .limits(1_000_000, 1_000_000, 10_000_000).rejectBatchOnInvalidSeries(false)
      .sourceSeriesLimit(false).build();

  private final IngestPipeline pipeline;

  private IngestSink(IngestPipeline pipeline) {
    this.pipeline = requireNonNull(pipeline, "pipeline");
  }

  public static IngestSink create(IngestPipeline pipeline) {
    return new IngestSink(pipeline);
  }

  @Override
  public AppendStatus[] write(List<Sample> batch) {
    Runs runs = new Runs(batch);
    WriteResult r = pipeline.write(SOURCE, OPTIONS, runs);
    if (!r.stored()) {
      throw new StorageException("vSphere batch not stored: " + r.reason(), null);
    }
    return runs.statuses;
  }

  /** The batch as series: runs of adjacent samples with the same labels object and node. */
  private static final class Runs implements SeriesInput {
    private final List<Sample> samples;
    private final List<Integer> starts = new ArrayList<>();
    private final List<Identity> identities = new ArrayList<>();
    final AppendStatus[] statuses;

    Runs(List<Sample> samples) {
      this.samples = samples;
      this.statuses = new AppendStatus[samples.size()];
      Sample prev = null;
      for (int i = 0; i < samples.size(); i++) {
        Sample s = samples.get(i);
        // The reader reuses one Labels per (entity, counter), so identity is the cheap test.
        if (prev == null || s.labels() != prev.labels() || !java.util.Objects.equals(s.nodeId(), prev.nodeId())) {
          starts.add(i);
          identities.add(identity(s));
        }
        prev = s;
      }
      starts.add(samples.size());
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
      return samples.get(starts.get(series) + j);
    }

    @Override
    public int seriesCount() {
      return starts.size() - 1;
    }

    @Override
    public Object key(int i) {
      return null;
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
      return starts.get(i + 1) - starts.get(i);
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
      statuses[starts.get(i) + j] = status;
    }
  }
}
