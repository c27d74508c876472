package syslens.vsphere;

/**
 * A vCenter connection's health as REST and the dashboard show it. Times are epoch ms (0: never).
 * {@code state}: {@code starting}, {@code ok}, {@code error} (the last attempt failed; see
 * {@code lastError}) or {@code disabled}. {@code owner}: the server instance that polls it
 * (several instances share the vCenters; null on a single instance).
 */
public record VCenterStatus(String id, String name, String state, String lastError,
    long lastInventoryMs, long inventoryDurationMs, int datacenters, int clusters, int hosts, int vms,
    int datastores, long lastCycleMs, long cycleDurationMs, long cycleSamples, long cycleRejected,
    int cycleFailedQueries, long cycles, long lateCycles, long errors, long logins, String owner) {

  /** Without an owner (a single instance). */
  public VCenterStatus(String id, String name, String state, String lastError,
      long lastInventoryMs, long inventoryDurationMs, int datacenters, int clusters, int hosts, int vms,
      int datastores, long lastCycleMs, long cycleDurationMs, long cycleSamples, long cycleRejected,
      int cycleFailedQueries, long cycles, long lateCycles, long errors, long logins) {
    this(id, name, state, lastError, lastInventoryMs, inventoryDurationMs, datacenters, clusters, hosts, vms,
        datastores, lastCycleMs, cycleDurationMs, cycleSamples, cycleRejected, cycleFailedQueries, cycles,
        lateCycles, errors, logins, null);
  }

  /** The same status as polled by instance {@code owner}. */
  public VCenterStatus withOwner(String owner) {
    return new VCenterStatus(id, name, state, lastError, lastInventoryMs, inventoryDurationMs, datacenters, clusters,
        hosts, vms, datastores, lastCycleMs, cycleDurationMs, cycleSamples, cycleRejected, cycleFailedQueries, cycles,
        lateCycles, errors, logins, owner);
  }
}
