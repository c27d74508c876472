package syslens.server;

import static java.util.Objects.requireNonNull;

import java.util.List;
import syslens.server.ingest.NodeRegistry;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.LabelRules;
import syslens.storage.Labels;
import syslens.storage.Storage;
import syslens.vsphere.NodeDirectory;
import syslens.vsphere.SampleSink;

/**
 * The vsphere module's two data seams, implemented over this server's parts: samples into
 * storage (one appender and one commit per batch, as agent batches), nodes into the registry.
 * When the shared ingest pipeline exists, {@link Samples} is the one place to point at it.
 */
final class VsphereWiring {
  private VsphereWiring() {}

  /** Appends a batch and commits it; adds the node identity labels agent series carry too. */
  static final class Samples implements SampleSink {
    private final Storage storage;

    Samples(Storage storage) {
      this.storage = requireNonNull(storage, "storage");
    }

    @Override
    public AppendStatus[] write(List<Sample> batch) {
      AppendStatus[] out = new AppendStatus[batch.size()];
      Appender app = storage.appender();
      try {
        Labels prev = null;
        Labels prevFull = null;
        boolean prevValid = false;
        for (int i = 0; i < out.length; i++) {
          Sample s = batch.get(i);
          Labels full;
          if (s.labels() == prev) {
            full = prevFull; // the reader reuses one Labels per (entity, counter)
          } else {
            full = withIdentity(s);
            prev = s.labels();
            prevFull = full;
            prevValid = LabelRules.validate(full) == null;
          }
          out[i] = prevValid ? app.append(full, s.timestampMs(), s.value()) : AppendStatus.INVALID_LABELS;
        }
        app.commit();
      } catch (RuntimeException e) {
        app.rollback();
        throw e;
      }
      return out;
    }

    private static Labels withIdentity(Sample s) {
      if (s.nodeId() == null) {
        return s.labels();
      }
      String instance = s.labels().has("vm") ? s.labels().get("vm") : s.labels().get("esxhost");
      return s.labels().toBuilder().set("node", s.nodeId()).set("instance", instance).build();
    }
  }

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
