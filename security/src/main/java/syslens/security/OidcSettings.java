package syslens.security;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Map;

/**
 * OpenID Connect login settings: the provider ({@code issuer}, discovered at
 * {@code <issuer>/.well-known/openid-configuration}), this client's id and secret, the public
 * base URL of SysLens (the callback is {@code <redirectBase>/api/v1/auth/oidc/callback}), the ID
 * token claim holding the user's groups, the group to role map (first mapped group in the
 * claim's order wins), and the role of users in no mapped group (null: they are refused).
 */
public record OidcSettings(URI issuer, String clientId, String clientSecret, URI redirectBase, String groupsClaim,
    Map<String, String> groupRoles, String defaultRole) {
  public static final String CALLBACK_PATH = "/api/v1/auth/oidc/callback";

  public OidcSettings {
    requireNonNull(issuer, "issuer");
    requireNonNull(clientId, "clientId");
    requireNonNull(clientSecret, "clientSecret");
    requireNonNull(redirectBase, "redirectBase");
    groupsClaim = groupsClaim == null || groupsClaim.isBlank() ? "groups" : groupsClaim;
    groupRoles = Map.copyOf(requireNonNull(groupRoles, "groupRoles"));
    if (clientId.isBlank()) {
      throw new IllegalArgumentException("oidc client id: empty (expected: the client id registered at the provider)");
    }
    if (!"https".equals(issuer.getScheme()) && !isLoopback(issuer)) {
      throw new IllegalArgumentException("oidc issuer: " + issuer + " (expected: an https:// URL, or http:// on loopback)");
    }
    if (redirectBase.getScheme() == null || redirectBase.getHost() == null) {
      throw new IllegalArgumentException("oidc redirect base: " + redirectBase
          + " (expected: the public URL of SysLens, e.g. https://syslens.example.com)");
    }
  }

  /** {@code group=role,group=role}; throws naming a malformed entry. */
  public static Map<String, String> parseGroupRoles(String spec) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0 || eq == part.length() - 1) {
        throw new IllegalArgumentException("oidc group map: \"" + part.strip() + "\" (expected: group=role)");
      }
      out.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
    }
    return out;
  }

  /** Without the client secret (settings end up in logs and error messages). */
  @Override
  public String toString() {
    return "OidcSettings[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret=***, redirectBase="
        + redirectBase + ", groupsClaim=" + groupsClaim + ", groupRoles=" + groupRoles + ", defaultRole="
        + defaultRole + "]";
  }

  URI callback() {
    String base = redirectBase.toString();
    return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + CALLBACK_PATH);
  }

  private static boolean isLoopback(URI u) {
    String h = u.getHost();
    return "http".equals(u.getScheme()) && ("localhost".equals(h) || "127.0.0.1".equals(h) || "[::1]".equals(h));
  }
}
