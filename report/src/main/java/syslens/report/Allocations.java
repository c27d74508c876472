package syslens.report;

import java.util.Optional;

/**
 * What a node was given: vCPUs and memory. Agent nodes' allocation is read from their metrics;
 * VMs' comes from the vSphere inventory, which the server supplies through this interface.
 */
@FunctionalInterface
public interface Allocations {
  Allocations NONE = node -> Optional.empty();

  Optional<Allocation> find(String node);

  /** vCPUs and memory bytes. */
  record Allocation(int vcpus, long memoryBytes) {}
}
