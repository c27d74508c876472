package syslens.vsphere.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * How to reach one vCenter: its SDK URL, credentials, TLS trust (system CAs by default, or a
 * pinned SHA-256 certificate fingerprint), and the limits every call obeys.
 */
public final class VimClientConfig {
  private final URI url;
  private final String user;
  private final String password;
  private final String pinnedSha256;
  private final int maxConcurrency;
  private final Duration timeout;
  private final int maxRetries;
  private final Duration backoff;
  private final long maxResponseBytes;

  private VimClientConfig(Builder b) {
    this.url = b.url;
    this.user = b.user;
    this.password = b.password;
    this.pinnedSha256 = b.pinnedSha256;
    this.maxConcurrency = b.maxConcurrency;
    this.timeout = b.timeout;
    this.maxRetries = b.maxRetries;
    this.backoff = b.backoff;
    this.maxResponseBytes = b.maxResponseBytes;
  }

  public static Builder builder(URI url, String user, String password) {
    return new Builder(url, user, password);
  }

  public URI url() {
    return url;
  }

  public String user() {
    return user;
  }

  String password() {
    return password;
  }

  /** Lower-case hex SHA-256 of the server certificate (DER), or null for CA-based verification. */
  public String pinnedSha256() {
    return pinnedSha256;
  }

  public int maxConcurrency() {
    return maxConcurrency;
  }

  public Duration timeout() {
    return timeout;
  }

  public int maxRetries() {
    return maxRetries;
  }

  public Duration backoff() {
    return backoff;
  }

  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  @Override
  public String toString() { // never the password
    return "VimClientConfig{url=" + url + ", user=" + user + ", pinned=" + (pinnedSha256 != null) + "}";
  }

  /** A TLS context trusting exactly the certificate with this SHA-256 (guest WinRM shares it). */
  public static javax.net.ssl.SSLContext pinnedTlsContext(String fingerprint) {
    return SoapTransport.pinnedContext(normalizeFingerprint(fingerprint));
  }

  /** Normalises a fingerprint ("AB:CD:..." or "abcd...") to 64 lower-case hex digits. */
  public static String normalizeFingerprint(String fp) {
    requireNonNull(fp, "fingerprint");
    String hex = fp.replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
    if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("certificate fingerprint: '" + fp
          + "' (expected: 64 hex digits of a SHA-256 digest, colons allowed)");
    }
    HexFormat.of().parseHex(hex);
    return hex;
  }

  /** Builder; every setter validates. */
  public static final class Builder {
    private final URI url;
    private final String user;
    private final String password;
    private String pinnedSha256;
    private int maxConcurrency = 50;
    private Duration timeout = Duration.ofSeconds(30);
    private int maxRetries = 3;
    private Duration backoff = Duration.ofMillis(500);
    private long maxResponseBytes = 64L * 1024 * 1024;

    private Builder(URI url, String user, String password) {
      requireNonNull(url, "url");
      if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
        throw new IllegalArgumentException("url: '" + url + "' (expected: https://<host>[:port]/sdk)");
      }
      this.url = url.getPath() == null || url.getPath().isEmpty() || url.getPath().equals("/")
          ? url.resolve("/sdk") : url;
      this.user = requireNonNull(user, "user");
      this.password = requireNonNull(password, "password");
      if (user.isEmpty()) {
        throw new IllegalArgumentException("user: '' (expected: a vCenter user name)");
      }
    }

    public Builder pinnedSha256(String fingerprint) {
      this.pinnedSha256 = fingerprint == null || fingerprint.isBlank() ? null : normalizeFingerprint(fingerprint);
      return this;
    }

    public Builder maxConcurrency(int n) {
      if (n < 1 || n > 1000) {
        throw new IllegalArgumentException("maxConcurrency: " + n + " (expected: 1..1000)");
      }
      this.maxConcurrency = n;
      return this;
    }

    public Builder timeout(Duration d) {
      requireNonNull(d, "timeout");
      if (d.isNegative() || d.isZero() || d.toMinutes() > 10) {
        throw new IllegalArgumentException("timeout: " + d + " (expected: > 0 and <= 10m)");
      }
      this.timeout = d;
      return this;
    }

    public Builder maxRetries(int n) {
      if (n < 0 || n > 10) {
        throw new IllegalArgumentException("maxRetries: " + n + " (expected: 0..10)");
      }
      this.maxRetries = n;
      return this;
    }

    public Builder backoff(Duration d) {
      requireNonNull(d, "backoff");
      if (d.isNegative() || d.toSeconds() > 60) {
        throw new IllegalArgumentException("backoff: " + d + " (expected: 0..60s)");
      }
      this.backoff = d;
      return this;
    }

    public Builder maxResponseBytes(long n) {
      if (n < 1024) {
        throw new IllegalArgumentException("maxResponseBytes: " + n + " (expected: >= 1024)");
      }
      this.maxResponseBytes = n;
      return this;
    }

    public VimClientConfig build() {
      return new VimClientConfig(this);
    }
  }
}
