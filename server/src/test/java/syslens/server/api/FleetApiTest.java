package syslens.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.server.auth.RequestScope;
import syslens.server.ingest.NodeRegistry;
import syslens.server.live.NodeSummaries;
import syslens.server.meta.MetaStore;
import syslens.server.meta.NodeStore;
import syslens.storage.Labels;

/** GET /api/v1/fleet/overview: the layout digest and the answer without the layout columns. */
class FleetApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static JsonNode get(FleetApi api, String pathAndQuery, int status) throws Exception {
    HttpRequest req = HttpRequest.of(HttpMethod.GET, pathAndQuery);
    AggregatedHttpResponse r = api.serve(ServiceRequestContext.of(req), req).aggregate().join();
    assertThat(r.status().code()).as(r.contentUtf8()).isEqualTo(status);
    return JSON.readTree(r.contentUtf8());
  }

  private static void cpu(NodeSummaries summaries, String node, long t, double idle, double busy) {
    NodeSummaries.Round r = summaries.begin(node);
    r.add(Labels.of("__name__", "node_cpu_seconds_total", "cpu", "0", "mode", "idle"), t, idle);
    r.add(Labels.of("__name__", "node_cpu_seconds_total", "cpu", "0", "mode", "user"), t, busy);
    summaries.finish(r);
  }

  @Test
  void layout_current_answersOnlyTheChangingColumns_untilALayoutColumnChanges() throws Exception {
    try (MetaStore meta = MetaStore.openH2(dir)) {
      NodeRegistry registry = new NodeRegistry(new NodeStore(meta), Clock.systemUTC(), Duration.ofSeconds(30));
      NodeSummaries summaries = new NodeSummaries();
      registry.connected("n1", "h1", "Linux", "1", Map.of("rack", "r1"));
      registry.connected("n2", "h2", "Linux", "1", Map.of());
      cpu(summaries, "n1", 1_000, 10, 10);
      cpu(summaries, "n1", 2_000, 15, 15);
      FleetApi api = FleetApi.builder(registry, summaries, new RequestScope()).refresh(Duration.ZERO).build();

      JsonNode whole = get(api, "/api/v1/fleet/overview", 200).path("data");
      String layout = whole.path("layout").asText();
      assertThat(layout).matches("[0-9a-f]{16}");
      assertThat(whole.has("layoutReused")).isFalse();
      assertThat(whole.at("/nodes/id").toString()).isEqualTo("[\"n1\",\"n2\"]");
      assertThat(whole.at("/nodes/labels/0/rack").asText()).isEqualTo("r1");
      assertThat(whole.at("/nodes/cpu").toString()).isEqualTo("[50,null]");

      cpu(summaries, "n1", 3_000, 15, 25);
      JsonNode values = get(api, "/api/v1/fleet/overview?layout=" + layout, 200).path("data");
      assertThat(values.path("layout").asText()).isEqualTo(layout);
      assertThat(values.path("layoutReused").asBoolean()).isTrue();
      assertThat(values.path("nodes").has("id")).isFalse();
      assertThat(values.path("nodes").has("labels")).isFalse();
      assertThat(values.at("/nodes/cpu").toString()).isEqualTo("[100,null]");
      assertThat(values.at("/nodes/status").toString()).isEqualTo("[\"online\",\"online\"]");
      assertThat(values.at("/summary/status/online").asInt()).isEqualTo(2);

      // A relabelled node: a new layout, and the old one gets every column again.
      registry.connected("n2", "h2", "Linux", "1", Map.of("rack", "r2"));
      JsonNode changed = get(api, "/api/v1/fleet/overview?layout=" + layout, 200).path("data");
      assertThat(changed.path("layout").asText()).isNotEqualTo(layout);
      assertThat(changed.has("layoutReused")).isFalse();
      assertThat(changed.at("/nodes/labels/1/rack").asText()).isEqualTo("r2");
    }
  }

  @Test
  void layout_malformed_badRequestNamingTheParameter() throws Exception {
    try (MetaStore meta = MetaStore.openH2(dir)) {
      NodeRegistry registry = new NodeRegistry(new NodeStore(meta), Clock.systemUTC(), Duration.ofSeconds(30));
      FleetApi api = FleetApi.builder(registry, new NodeSummaries(), new RequestScope()).build();
      JsonNode error = get(api, "/api/v1/fleet/overview?layout=" + "x".repeat(100), 400);
      assertThat(error.path("errorType").asText()).isEqualTo("bad_data");
      assertThat(error.path("error").asText()).startsWith("layout: \"xxx").contains("...").contains("expected: the 16 hex digits");
    }
  }
}
