package syslens.vsphere.guest;

/**
 * One VM's guest collection as REST shows it. Times are epoch ms (0: never). {@code state}:
 * {@code ok} or {@code error} (see {@code lastError}: what failed and what was expected).
 * {@code hostKey}: the SSH host key fingerprint pinned for the VM, if any.
 */
public record GuestStatus(String node, String vm, String vcenter, String credential, String kind, String address,
    String state, long lastOkMs, long lastErrorMs, String lastError, long durationMs, int samples, String hostKey) {

  /** The service's cycles: when the last ran, how long, how many VMs, how they fared. */
  public record Cycles(long intervalSeconds, long lastCycleMs, long durationMs, int targets, int ok, int errors,
      long cycles, long lateCycles) {}
}
