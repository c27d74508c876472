package syslens.server;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * Where time series live, chosen by one key ({@code --storage} / {@code SYSLENS_STORAGE}):
 * {@code embedded} (the default: the TSDB under the data directory) or {@code prometheus-remote}
 * (a Prometheus-compatible store: remote-write to {@code writeUrl}, reads from its HTTP API at
 * {@code readUrl}, writes buffered on local disk up to {@code bufferBytes} while it is down) or
 * {@code influxdb} (InfluxDB 1.x: line protocol to {@code writeUrl}, InfluxQL reads, same buffer).
 *
 * @param authorization the {@code Authorization} header for the store, or null; never printed
 */
public record StorageSettings(Kind kind, URI writeUrl, URI readUrl, long bufferBytes, String authorization) {
  /** The storage kinds, by their configuration names. */
  public enum Kind {
    EMBEDDED("embedded"),
    PROMETHEUS_REMOTE("prometheus-remote"),
    INFLUXDB("influxdb");

    private final String key;

    Kind(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    /** The kind named {@code key}; throws naming the choices. */
    public static Kind of(String key) {
      for (Kind k : values()) {
        if (k.key.equals(key)) {
          return k;
        }
      }
      throw new IllegalArgumentException("storage: \"" + key + "\" (expected: embedded, prometheus-remote or influxdb)");
    }
  }

  /** Default local buffer for a remote store: 1 GiB. */
  public static final long DEFAULT_BUFFER_BYTES = 1L << 30;

  public StorageSettings {
    requireNonNull(kind, "kind");
    if (kind != Kind.EMBEDDED && writeUrl == null) {
      throw new IllegalArgumentException("storage " + kind.key + ": no --storage-url (expected: the store's write URL, "
          + "e.g. http://victoria-metrics:8428/api/v1/write, or http://influxdb:8086/write?db=syslens&precision=ms)");
    }
    if (kind == Kind.INFLUXDB && (writeUrl.getRawQuery() == null || !("&" + writeUrl.getRawQuery()).contains("&db=")
        || !("&" + writeUrl.getRawQuery() + "&").contains("&precision=ms&"))) {
      throw new IllegalArgumentException("storage influxdb: --storage-url " + writeUrl
          + " (expected: http://HOST:8086/write?db=DATABASE&precision=ms)");
    }
    if (bufferBytes < 1024 * 1024) {
      throw new IllegalArgumentException("storage buffer: " + bufferBytes + " bytes (expected: >= 1 MiB)");
    }
  }

  public static StorageSettings embedded() {
    return new StorageSettings(Kind.EMBEDDED, null, null, DEFAULT_BUFFER_BYTES, null);
  }

  public static StorageSettings prometheusRemote(URI writeUrl) {
    return new StorageSettings(Kind.PROMETHEUS_REMOTE, requireNonNull(writeUrl, "writeUrl"), null,
        DEFAULT_BUFFER_BYTES, null);
  }

  /** Without the authorization header. */
  @Override
  public String toString() {
    return kind == Kind.EMBEDDED ? "embedded" : kind.key + " " + writeUrl + (readUrl != null ? " read " + readUrl : "");
  }

  /** "1GiB", "512MiB", "100MB", or a byte count; throws naming the flag. */
  static long parseBytes(String option, String v) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,12})(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?").matcher(v.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(option + ": " + v + " (expected: a size like 512MiB, 1GiB, 20GB)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    long mult = switch (unit) {
      case "KiB" -> 1L << 10;
      case "MiB" -> 1L << 20;
      case "GiB" -> 1L << 30;
      case "TiB" -> 1L << 40;
      case "KB" -> 1000L;
      case "MB" -> 1000_000L;
      case "GB" -> 1000_000_000L;
      case "TB" -> 1000_000_000_000L;
      default -> 1L;
    };
    if (n > Long.MAX_VALUE / mult) {
      throw new IllegalArgumentException(option + ": " + v + " (expected: at most 8 EiB)");
    }
    return n * mult;
  }
}
