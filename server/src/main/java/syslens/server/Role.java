package syslens.server;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What one server instance does ({@code syslens server --roles ingest,api,alerting,collector,writer};
 * default all). Every instance serves {@code /healthz}, {@code /readyz} and {@code /metrics}.
 */
public enum Role {
  /** The agents' gRPC stream, Prometheus remote-write and text import. */
  INGEST,
  /** The REST API, the live WebSocket feed and the dashboard. */
  API,
  /** Rule evaluation and notification delivery. */
  ALERTING,
  /** vCenter and guest (SSH, WinRM, script) collection. */
  COLLECTOR,
  /**
   * With {@code --ingest-bus kafka}: consumes the samples topic in the writers' consumer group and
   * writes to the store (no HTTP paths of its own; without the Kafka bus it does nothing).
   */
  WRITER;

  /** Every role: one instance doing everything. */
  public static Set<Role> all() {
    return EnumSet.allOf(Role.class);
  }

  /** Parses {@code ingest,api,...} (case-insensitive, at least one); names the bad entry otherwise. */
  public static Set<Role> parse(String list) {
    if (list == null || list.isBlank()) {
      throw new IllegalArgumentException("--roles: empty (expected: a comma-separated list of "
          + "ingest, api, alerting, collector, writer)");
    }
    EnumSet<Role> out = EnumSet.noneOf(Role.class);
    for (String part : list.split(",", -1)) {
      String name = part.strip();
      try {
        out.add(Role.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--roles: \"" + (name.length() > 32 ? name.substring(0, 29) + "..." : name)
            + "\" (expected: a comma-separated list of ingest, api, alerting, collector, writer)", e);
      }
    }
    return out;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
