package syslens.vsphere;

/**
 * A vCenter connection's health as REST and the dashboard show it. Times are epoch ms (0: never).
 * {@code state}: {@code starting}, {@code ok}, {@code error} (the last attempt failed; see
 * {@code lastError}) or {@code disabled}.
 */
public record VCenterStatus(String id, String name, String state, String lastError,
    long lastInventoryMs, long inventoryDurationMs, int datacenters, int clusters, int hosts, int vms,
    int datastores, long lastCycleMs, long cycleDurationMs, long cycleSamples, long cycleRejected,
    int cycleFailedQueries, long cycles, long lateCycles, long errors, long logins) {}
