package syslens.server;

import static java.util.Objects.requireNonNull;

import java.util.List;
import syslens.server.ingest.NodeRegistry;
import syslens.vsphere.NodeDirectory;

/** The vsphere module's node seam over this server's registry (samples: {@code IngestSink}). */
final class VsphereWiring {
  private VsphereWiring() {}

  /** VMs and ESXi hosts join the node registry beside agent nodes. */
  static final class Nodes implements NodeDirectory {
    private final NodeRegistry registry;

    Nodes(NodeRegistry registry) {
      this.registry = requireNonNull(registry, "registry");
    }

    @Override
    public void upsert(List<Node> nodes) {
      for (Node n : nodes) {
        registry.upsertCollected(n.id(), n.kind(), n.name(), n.os(), n.version(), n.labels(), n.online());
      }
    }
  }
}
