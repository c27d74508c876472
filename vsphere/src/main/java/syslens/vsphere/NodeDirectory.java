package syslens.vsphere;

import java.util.List;
import java.util.Map;

/**
 * The node registry VMs and ESXi hosts join, next to agent nodes (one list, one search); the
 * composition root implements it.
 */
public interface NodeDirectory {
  String KIND_VM = "vm";
  String KIND_ESXI = "esxi";

  /**
   * A node as vSphere describes it. {@code id} is stable across restarts and renames
   * ({@code vm:<vcenter>:<instance uuid>}, {@code esxi:<vcenter>:<host id>}).
   */
  record Node(String id, String kind, String name, String os, String version, Map<String, String> labels,
      boolean online) {}

  /** Creates or updates these nodes. */
  void upsert(List<Node> nodes);
}
