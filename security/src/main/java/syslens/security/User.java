package syslens.security;

/**
 * A stored user. {@code version} changes whenever something happens that must end the user's
 * existing access tokens (role change, password change, disable, "log out everywhere").
 * {@code scopes} are the label selectors declared on the user itself ({@link Scopes}).
 */
public record User(long id, String username, String passwordHash, String role, boolean disabled,
    boolean mustChangePassword, String language, long version, String totpSecret,
    boolean totpEnabled, long createdAt, java.util.Set<String> extraGrants,
    java.util.Set<String> extraDenies, String recoveryCodes, java.util.List<String> scopes) {

  public User {
    extraGrants = java.util.Set.copyOf(extraGrants);
    extraDenies = java.util.Set.copyOf(extraDenies);
    scopes = java.util.List.copyOf(scopes);
  }

  /** A user that declares no scope of its own. */
  public User(long id, String username, String passwordHash, String role, boolean disabled,
      boolean mustChangePassword, String language, long version, String totpSecret,
      boolean totpEnabled, long createdAt, java.util.Set<String> extraGrants,
      java.util.Set<String> extraDenies, String recoveryCodes) {
    this(id, username, passwordHash, role, disabled, mustChangePassword, language, version, totpSecret,
        totpEnabled, createdAt, extraGrants, extraDenies, recoveryCodes, java.util.List.of());
  }

  /** The user as the API shows it: no hashes, no secrets. */
  public java.util.Map<String, Object> toView() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("id", id);
    m.put("username", username);
    m.put("role", role);
    m.put("disabled", disabled);
    m.put("mustChangePassword", mustChangePassword);
    m.put("language", language);
    m.put("totpEnabled", totpEnabled);
    m.put("createdAt", createdAt);
    m.put("extraGrants", new java.util.TreeSet<>(extraGrants));
    m.put("extraDenies", new java.util.TreeSet<>(extraDenies));
    m.put("scopes", scopes);
    return m;
  }
}
