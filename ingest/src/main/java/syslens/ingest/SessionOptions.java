package syslens.ingest;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * How the pipeline treats one source's batches.
 *
 * @param defaults labels added to every series unless the sender sets them (an agent's
 *     configured labels)
 * @param overrides labels set on every series whatever the sender says (remote import's
 *     {@code extra_label})
 * @param identity the node the session's series describe ({@code node}, {@code instance}
 *     labels), or null; a series may name its own ({@link SeriesInput#identity})
 * @param maxSeries most series in one batch
 * @param maxSamplesPerSeries most samples of one series in one batch
 * @param maxSamples most samples in one batch
 * @param rejectBatchOnInvalidSeries true: one series with invalid labels refuses the whole batch,
 *     nothing stored (agent stream, remote-write, import); false: only that series' samples
 *     are refused (collectors)
 * @param rounds true when each batch timestamp is a collection round (agent): a series of the
 *     previous round that is missing from the next gets a staleness marker, and ending the
 *     session marks every series of its last rounds stale
 * @param upSeries true: write {@code up} (1 per accepted batch, 0 when the session ends) for
 *     {@code identity}
 * @param sourceSeriesLimit true: new series count against the source's own series limit
 *     ({@code Storage.appender(source.id())}); false for a collector that writes for many nodes
 */
public record SessionOptions(Map<String, String> defaults, Map<String, String> overrides, Identity identity,
    int maxSeries, int maxSamplesPerSeries, int maxSamples, boolean rejectBatchOnInvalidSeries,
    boolean rounds, boolean upSeries, boolean sourceSeriesLimit) {

  public SessionOptions {
    defaults = Map.copyOf(requireNonNull(defaults, "defaults"));
    overrides = Map.copyOf(requireNonNull(overrides, "overrides"));
    if (maxSeries < 1 || maxSamplesPerSeries < 1 || maxSamples < 1) {
      throw new IllegalArgumentException("limits: maxSeries " + maxSeries + ", maxSamplesPerSeries "
          + maxSamplesPerSeries + ", maxSamples " + maxSamples + " (expected: each >= 1)");
    }
    if (upSeries && identity == null) {
      throw new IllegalArgumentException("upSeries: true without an identity (expected: the node the up series is for)");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: no labels added, no identity, agent-sized limits, invalid series refuse the batch. */
  public static final class Builder {
    private Map<String, String> defaults = Map.of();
    private Map<String, String> overrides = Map.of();
    private Identity identity;
    private int maxSeries = 10_000;
    private int maxSamplesPerSeries = 1_000;
    private int maxSamples = 200_000;
    private boolean rejectBatch = true;
    private boolean rounds;
    private boolean up;
    private boolean sourceLimit = true;

    private Builder() {}

    public Builder sourceSeriesLimit(boolean b) {
      this.sourceLimit = b;
      return this;
    }

    public Builder defaults(Map<String, String> labels) {
      this.defaults = labels;
      return this;
    }

    public Builder overrides(Map<String, String> labels) {
      this.overrides = labels;
      return this;
    }

    public Builder identity(Identity id) {
      this.identity = id;
      return this;
    }

    public Builder limits(int maxSeries, int maxSamplesPerSeries, int maxSamples) {
      this.maxSeries = maxSeries;
      this.maxSamplesPerSeries = maxSamplesPerSeries;
      this.maxSamples = maxSamples;
      return this;
    }

    public Builder rejectBatchOnInvalidSeries(boolean b) {
      this.rejectBatch = b;
      return this;
    }

    public Builder rounds(boolean b) {
      this.rounds = b;
      return this;
    }

    public Builder upSeries(boolean b) {
      this.up = b;
      return this;
    }

    public SessionOptions build() {
      return new SessionOptions(defaults, overrides, identity, maxSeries, maxSamplesPerSeries, maxSamples,
          rejectBatch, rounds, up, sourceLimit);
    }
  }
}
