package syslens.server.live;

import java.util.LinkedHashMap;
import java.util.Map;
import syslens.server.ingest.NodeRegistry.NodeView;

/** The JSON shape of a node, shared by {@code GET /api/v1/nodes} and the live snapshot. */
public final class NodeJson {
  private NodeJson() {}

  /**
   * The labels a node's series carry (its own labels plus {@code node} and {@code instance}):
   * what a resource scope is matched against to decide whether the node is visible.
   */
  public static syslens.storage.Labels scopeLabels(NodeView n) {
    syslens.storage.Labels.Builder b = syslens.storage.Labels.builder();
    n.labels().forEach((k, v) -> {
      if (k != null && v != null) {
        b.set(k, v);
      }
    });
    return b.set("node", n.id()).set("instance", n.hostname() == null ? "" : n.hostname()).build();
  }

  public static Map<String, Object> of(NodeView n, NodeSummaries summaries) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", n.id());
    m.put("kind", n.kind());
    m.put("hostname", n.hostname());
    m.put("os", n.os());
    m.put("agentVersion", n.agentVersion());
    m.put("labels", n.labels());
    m.put("status", n.status());
    m.put("lastSeen", n.lastSeen());
    m.put("configVersion", n.configVersion());
    LiveSample s = summaries.latest(n.id()).orElse(null);
    m.put("cpuPercent", s == null ? null : s.cpuPercent());
    m.put("memoryPercent", s == null ? null : s.memoryPercent());
    return m;
  }
}
