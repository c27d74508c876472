package syslens.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class StorageBenchTest {
  @Test
  void ramFigures_wholeProcessMarginalAndProjected() {
    ObjectNode out = PromApi.JSON.createObjectNode();
    long idle = 200L << 20; // 209,715,200 B before the ingest
    long rss = idle + 80_000L * 1_500; // 1,500 B per series above it
    StorageBench.ramFigures(rss, idle, 80_000, out, "test");
    // The key keeps its meaning: the whole process over the series at this run's scale.
    assertThat(out.path("ram_bytes_per_series").asLong()).isEqualTo(Math.round(rss / 80_000.0));
    assertThat(out.path("ram_marginal_bytes_per_series").asLong()).isEqualTo(1_500);
    // Projected to 250,000 series: idle / 250,000 + marginal = 839 + 1,500.
    assertThat(out.path("ram_bytes_per_series_at_250k").asLong()).isEqualTo(2_339);
  }
}
