package syslens.vsphere.perf;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import syslens.vsphere.perf.MetricCatalog.Group;

/**
 * Which per-instance series are collected, for VMs and for hosts (Telegraf's
 * {@code vm_instances} / {@code host_instances}, per group). The default: a VM's virtual disks
 * and NICs, a host's storage devices, adapters and vmnics; per-CPU series of neither (a VM's
 * aggregate CPU ready and co-stop already say what most users ask, and per-vCPU series multiply
 * a fleet's CPU series by its average vCPU count). Aggregates (instance "") are always collected.
 */
public record PerfInstances(Set<Group> vm, Set<Group> host) {
  public PerfInstances {
    vm = Set.copyOf(requireNonNull(vm, "vm"));
    host = Set.copyOf(requireNonNull(host, "host"));
  }

  /** Virtual disks and NICs of VMs; storage devices, adapters and NICs of hosts; no per-CPU series. */
  public static PerfInstances defaults() {
    return new PerfInstances(EnumSet.of(Group.DISK, Group.NET), EnumSet.of(Group.DISK, Group.NET));
  }

  /** Aggregates only. */
  public static PerfInstances none() {
    return new PerfInstances(Set.of(), Set.of());
  }

  /** Every per-instance series. */
  public static PerfInstances all() {
    return new PerfInstances(EnumSet.allOf(Group.class), EnumSet.allOf(Group.class));
  }

  /** The groups switched on for {@code kind} (clusters and datastores have none). */
  public Set<Group> of(MetricCatalog.Kind kind) {
    return switch (kind) {
      case VM -> vm;
      case HOST -> host;
      case CLUSTER, DATASTORE -> Set.of();
    };
  }

  /**
   * Parses a command-line value: {@code none}, {@code all}, or a comma-separated list of
   * {@code cpu}, {@code disk}, {@code net}.
   *
   * @param option the option's name, for the error message
   */
  public static Set<Group> parse(String option, String value) {
    requireNonNull(value, "value");
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("none")) {
      return Set.of();
    }
    if (v.equals("all")) {
      return EnumSet.allOf(Group.class);
    }
    EnumSet<Group> out = EnumSet.noneOf(Group.class);
    for (String part : v.split(",", -1)) {
      switch (part.trim()) {
        case "cpu" -> out.add(Group.CPU);
        case "disk" -> out.add(Group.DISK);
        case "net" -> out.add(Group.NET);
        default -> throw new IllegalArgumentException(option + ": '" + value
            + "' (expected: none, all, or a comma-separated list of cpu, disk, net)");
      }
    }
    return out;
  }

  /** The command-line spelling of {@code groups}: {@code none} or e.g. {@code disk,net}. */
  public static String format(Set<Group> groups) {
    if (groups.isEmpty()) {
      return "none";
    }
    return String.join(",", EnumSet.copyOf(groups).stream().map(g -> g.name().toLowerCase(Locale.ROOT)).toList());
  }
}
