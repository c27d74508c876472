package syslens.server.ingest;

import static java.util.Objects.requireNonNull;

import java.util.function.Consumer;
import syslens.ingest.IngestListener;
import syslens.ingest.Source;
import syslens.server.live.LiveSample;
import syslens.server.live.NodeSummaries;

/**
 * What the pipeline publishes about agent batches: the node was heard from (registry) and its
 * headline numbers (live feed). Other sources' series carry no live summary.
 */
public final class AgentLiveFeed implements IngestListener {
  private final NodeRegistry registry;
  private final NodeSummaries summaries;
  private final Consumer<LiveSample> live;

  public AgentLiveFeed(NodeRegistry registry, NodeSummaries summaries, Consumer<LiveSample> live) {
    this.registry = requireNonNull(registry, "registry");
    this.summaries = requireNonNull(summaries, "summaries");
    this.live = requireNonNull(live, "live");
  }

  @Override
  public void committed(Source source, Committed batch) {
    if (!source.kind().equals(Source.AGENT)) {
      return;
    }
    registry.seen(source.id());
    NodeSummaries.Round round = summaries.begin(source.id());
    for (int i = 0; i < batch.size(); i++) {
      round.add(batch.labels(i), batch.timestamp(i), batch.value(i));
    }
    summaries.finish(round).ifPresent(live);
  }
}
