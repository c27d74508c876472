package syslens.ingest;

import static java.util.Objects.requireNonNull;

/**
 * Who writes a batch: {@code kind} names the door ({@value #AGENT}, {@value #REMOTE_WRITE},
 * {@value #IMPORT}, {@value #VSPHERE}) for metrics and logs; {@code id} is the identity whose own
 * series limit new series count against ({@code Storage.appender(id)}): an agent's node id, the
 * API key or user of an HTTP writer, a collector's name.
 */
public record Source(String kind, String id) {
  public static final String AGENT = "agent";
  public static final String REMOTE_WRITE = "remote_write";
  public static final String IMPORT = "import";
  public static final String VSPHERE = "vsphere";

  public Source {
    requireNonNull(kind, "kind");
    requireNonNull(id, "id");
    if (kind.isEmpty() || id.isEmpty()) {
      throw new IllegalArgumentException("source: kind \"" + kind + "\", id \"" + id + "\" (expected: both non-empty)");
    }
  }
}
