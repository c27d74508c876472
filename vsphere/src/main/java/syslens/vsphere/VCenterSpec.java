package syslens.vsphere;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;
import syslens.vsphere.client.VimClientConfig;

/**
 * A configured vCenter connection as stored: the password only sealed (see
 * {@link CredentialCipher}). {@code name} becomes the {@code vcenter} label of its series.
 */
public record VCenterSpec(String id, String name, URI url, String user, String sealedPassword,
    String pinnedSha256, int maxConcurrency, Duration timeout, Duration perfInterval,
    Duration inventoryInterval, boolean enabled) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  public VCenterSpec {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
    requireNonNull(url, "url");
    requireNonNull(user, "user");
    requireNonNull(sealedPassword, "sealedPassword");
    requireNonNull(timeout, "timeout");
    requireNonNull(perfInterval, "perfInterval");
    requireNonNull(inventoryInterval, "inventoryInterval");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name: '" + name
          + "' (expected: 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit)");
    }
    if (perfInterval.toSeconds() < 20 || perfInterval.toSeconds() > 600) {
      throw new IllegalArgumentException("perfInterval: " + perfInterval.toSeconds() + "s (expected: 20..600 s)");
    }
    if (inventoryInterval.toSeconds() < 60 || inventoryInterval.toHours() > 24) {
      throw new IllegalArgumentException("inventoryInterval: " + inventoryInterval.toSeconds()
          + "s (expected: 60 s..24 h)");
    }
    // The client config validates url, user, pin, concurrency and timeout.
    VimClientConfig.builder(url, user, "x").pinnedSha256(pinnedSha256).maxConcurrency(maxConcurrency)
        .timeout(timeout).build();
  }

  /** The client configuration with the opened password. */
  public VimClientConfig clientConfig(String password) {
    return clientConfig(password, null);
  }

  /** The client configuration with the opened password and the first retry delay ({@code null}: the default). */
  VimClientConfig clientConfig(String password, Duration retryBackoff) {
    VimClientConfig.Builder b = VimClientConfig.builder(url, user, password).pinnedSha256(pinnedSha256)
        .maxConcurrency(maxConcurrency).timeout(timeout);
    if (retryBackoff != null) {
      b.backoff(retryBackoff);
    }
    return b.build();
  }

  @Override
  public String toString() { // the sealed password stays out of logs too
    return "VCenterSpec{id=" + id + ", name=" + name + ", url=" + url + ", user=" + user + "}";
  }
}
