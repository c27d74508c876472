package syslens.ingest;

import java.util.ArrayList;
import java.util.List;
import syslens.storage.AppendStatus;

/** A hand-built batch for tests: series of name/value label pairs and (t, v) samples. */
final class Batch implements SeriesInput {
  private final List<String[]> labels = new ArrayList<>();
  private final List<long[]> ts = new ArrayList<>();
  private final List<double[]> vs = new ArrayList<>();
  private final List<Identity> ids = new ArrayList<>();
  private final List<Integer> refs = new ArrayList<>();
  final List<AppendStatus> outcomes = new ArrayList<>();

  static Batch of() {
    return new Batch();
  }

  Batch series(String[] nameValues, long t, double v) {
    return series(nameValues, null, t, v);
  }

  Batch series(String[] nameValues, Identity id, long t, double v) {
    labels.add(nameValues);
    ts.add(new long[] {t});
    vs.add(new double[] {v});
    ids.add(id);
    refs.add(0);
    return this;
  }

  /** A series with several samples (a batch that merges rounds). */
  Batch series(String[] nameValues, long[] t, double[] v) {
    labels.add(nameValues);
    ts.add(t);
    vs.add(v);
    ids.add(null);
    refs.add(0);
    return this;
  }

  /** A series with a ref: defining it when nameValues is not empty, else using it. */
  Batch ref(int ref, String[] nameValues, long t, double v) {
    series(nameValues, null, t, v);
    refs.set(refs.size() - 1, ref);
    return this;
  }

  @Override
  public int ref(int i) {
    return refs.get(i);
  }

  static String[] l(String... nameValues) {
    return nameValues;
  }

  @Override
  public int seriesCount() {
    return labels.size();
  }

  @Override
  public Object key(int i) {
    return List.of(labels.get(i)) + "|" + ids.get(i);
  }

  @Override
  public int labelCount(int i) {
    return labels.get(i).length / 2;
  }

  @Override
  public String labelName(int i, int label) {
    return labels.get(i)[2 * label];
  }

  @Override
  public String labelValue(int i, int label) {
    return labels.get(i)[2 * label + 1];
  }

  @Override
  public Identity identity(int i) {
    return ids.get(i);
  }

  @Override
  public int sampleCount(int i) {
    return ts.get(i).length;
  }

  @Override
  public long timestamp(int i, int sample) {
    return ts.get(i)[sample];
  }

  @Override
  public double value(int i, int sample) {
    return vs.get(i)[sample];
  }

  @Override
  public void outcome(int series, int sample, AppendStatus status) {
    outcomes.add(status);
  }
}
