package syslens.security;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The security module's front door: built once by the composition root over the metadata
 * database; everything else asks it. Authenticates bearer tokens and API keys against the
 * current state of users, roles and sessions on every request.
 */
public final class Security {
  private final UserStore userStore;
  private final Users users;
  private final Roles roles;
  private final Sessions sessions;
  private final AccessTokens tokens;
  private final ApiKeys apiKeys;
  private final Logins logins;
  private final NodeIdentities nodes;
  private final AuditLog audit;
  private final OidcLogins oidc;
  private final RefreshAhead refreshAhead;
  private static final int MAX_BUILT = 10_000;
  private final java.util.concurrent.ConcurrentHashMap<String, Built> built = new java.util.concurrent.ConcurrentHashMap<>();

  private Security(Builder b) {
    SecuritySchema.migrate(b.db);
    this.audit = new AuditLog(b.db, b.clock);
    RefreshAhead refresh = RefreshAhead.background();
    this.refreshAhead = refresh;
    this.userStore = new UserStore(b.db, b.clock, refresh);
    Scopes scopes = new Scopes(b.scopeChecker);
    this.roles = new Roles(b.db, scopes);
    this.sessions = new Sessions(b.db, b.clock, b.idleTimeout, refresh);
    this.tokens = new AccessTokens(b.jwtKey, b.clock, b.accessTokenTtl);
    this.apiKeys = new ApiKeys(b.db, b.clock, refresh);
    LoginGuard guard = new LoginGuard(b.clock, new LoginLockStore(b.db));
    this.users = new Users(userStore, roles, PasswordPolicy.create(), sessions, apiKeys, guard, audit, scopes);
    this.logins = new Logins(userStore, roles, sessions, tokens, guard, audit, b.clock);
    this.oidc = b.oidc == null ? null : new OidcLogins(b.oidc, logins, roles, audit, b.clock);
    this.nodes = new NodeIdentities(b.db, b.clock, b.enrollmentToken, audit, new EnrollmentTokens(b.db, b.clock, audit),
        b.certificateIssuer, b.sharedEnrollmentToken, b.requireAgentCertificates);
  }

  /** The background refresh of the authentication caches (for tests). */
  RefreshAhead refreshAhead() {
    return refreshAhead;
  }

  public static Builder builder(DataSource db) {
    return new Builder(db);
  }

  public Users users() {
    return users;
  }

  public Roles roles() {
    return roles;
  }

  public Logins logins() {
    return logins;
  }

  /** Single sign-on through OpenID Connect, when configured. */
  public Optional<OidcLogins> oidc() {
    return Optional.ofNullable(oidc);
  }

  public NodeIdentities nodes() {
    return nodes;
  }

  public AuditLog audit() {
    return audit;
  }

  public Duration accessTokenTtl() {
    return tokens.ttl();
  }

  /**
   * The principal of a bearer credential (access token or API key) as of now: empty for a bad,
   * expired or revoked credential, a deleted or disabled user, a changed user (role, password,
   * log out everywhere), or a session ended by logout or inactivity.
   */
  public Optional<Principal> authenticate(String bearer) {
    return Optional.ofNullable(check(bearer).principal());
  }

  /**
   * The outcome of presenting credentials: the principal, or why they are refused and the user
   * they claim ({@code subject}, unverified unless the token's signature held).
   */
  public record Authentication(Principal principal, String rejection, String subject) {
    static Authentication refused(String why, String subject) {
      return new Authentication(null, why, subject);
    }
  }

  /**
   * Like {@link #authenticate(String)}, saying why a credential is refused: the token's own
   * problems ({@code malformed}, {@code alg_none}, {@code alg_not_allowed}, {@code bad_signature},
   * {@code bad_issuer}, {@code expired}), or its user's state ({@code unknown_user},
   * {@code disabled_user}, {@code stale_token} after a role or password change, {@code revoked}
   * session, {@code role_deleted}); API keys: {@code bad_api_key}.
   */
  public Authentication check(String bearer) {
    return check(bearer, false);
  }

  /**
   * The principal of a bearer credential when it can be told from state held in memory alone
   * (a verified token signature or key hash, and the user, session or key as read from the
   * database within the last two seconds, as {@link #check(String)} trusts them too), without
   * reading or writing the database, so an event loop may call it. Empty when the database must
   * be asked, and for every refusal: then call {@link #check(String)} on a blocking thread, which
   * decides and says why.
   */
  public Optional<Principal> authenticateCached(String bearer) {
    Authentication a = check(bearer, true);
    return a == null ? Optional.empty() : Optional.ofNullable(a.principal());
  }

  /** Like {@link #authenticateCached(String)} for HTTP basic auth (a user name and an API key). */
  public Optional<Principal> authenticateBasicCached(String username, String apiKey) {
    Optional<ApiKeys.Key> k = apiKeys.authenticate(apiKey, true);
    if (k == null || k.isEmpty()) {
      return Optional.empty();
    }
    Optional<Principal> p = principalOfKey(k.get(), true);
    return p == null ? Optional.empty() : p.filter(x -> x.username().equals(username));
  }

  /** {@link #check(String)}; with {@code cachedOnly}, null where the database would be asked. */
  private Authentication check(String bearer, boolean cachedOnly) {
    if (bearer == null) {
      return Authentication.refused("malformed", null);
    }
    if (bearer.startsWith(ApiKeys.PREFIX)) {
      Optional<ApiKeys.Key> k = apiKeys.authenticate(bearer, cachedOnly);
      if (k == null) {
        return null;
      }
      if (k.isEmpty()) {
        return Authentication.refused("bad_api_key", null);
      }
      Optional<Principal> p = principalOfKey(k.get(), cachedOnly);
      return p == null ? null : p.map(x -> new Authentication(x, null, x.username()))
          .orElse(Authentication.refused("unknown_user", null));
    }
    AccessTokens.Checked checked = tokens.check(bearer);
    if (checked.claims() == null) {
      return Authentication.refused(checked.rejection(), checked.subject());
    }
    AccessTokens.Claims c = checked.claims();
    Optional<User> u = userStore.findCached(c.userId(), cachedOnly);
    if (u == null) {
      return null;
    }
    if (u.isEmpty() || !u.get().username().equals(c.username())) {
      return Authentication.refused("unknown_user", c.username());
    }
    if (u.get().disabled()) {
      return Authentication.refused("disabled_user", c.username());
    }
    if (u.get().version() != c.version()) {
      return Authentication.refused("stale_token", c.username());
    }
    Boolean live = sessions.touch(c.sessionId(), c.userId(), cachedOnly);
    if (live == null) {
      return null;
    }
    if (!live) {
      return Authentication.refused("revoked", c.username());
    }
    return principal(u.get(), c.sessionId(), null, null).map(p -> new Authentication(p, null, p.username()))
        .orElse(Authentication.refused("role_deleted", c.username()));
  }

  /** Like {@link #authenticateBasic(String, String)}, saying why the credentials are refused. */
  public Authentication checkBasic(String username, String apiKey) {
    Optional<Principal> p = authenticateBasic(username, apiKey);
    return p.map(x -> new Authentication(x, null, x.username())).orElse(Authentication.refused("bad_api_key", username));
  }

  /** HTTP basic auth for machines (Grafana): the user name and one of that user's API keys. */
  public Optional<Principal> authenticateBasic(String username, String apiKey) {
    return apiKeys.authenticate(apiKey).flatMap(k -> principalOfKey(k, false)
        .filter(p -> p.username().equals(username)));
  }

  /** The principal of a key's owner; with {@code cachedOnly}, null where the database would be asked. */
  private Optional<Principal> principalOfKey(ApiKeys.Key k, boolean cachedOnly) {
    Optional<User> u = userStore.findCached(k.userId(), cachedOnly);
    if (u == null) {
      return null;
    }
    if (u.isEmpty() || u.get().disabled()) {
      return Optional.empty();
    }
    return principal(u.get(), null, k.id(), k.scopes());
  }

  /**
   * The principal of a user's session or API key, built once and kept while the user's cached
   * state (the same {@link User} instance), the role definitions and the key's scopes are the
   * ones it was built from: a steady client's request then needs no permission sets rebuilt.
   */
  private Optional<Principal> principal(User u, String sessionId, String keyId, Set<String> scopes) {
    String memo = sessionId != null ? "s " + sessionId : keyId != null ? "k " + keyId : null;
    Object rolesNow = roles.generation();
    Built b = memo == null ? null : built.get(memo);
    if (b != null && b.user() == u && b.roles() == rolesNow && java.util.Objects.equals(b.keyScopes(), scopes)) {
      return Optional.of(b.principal());
    }
    Optional<Principal> p = build(u, sessionId, keyId, scopes);
    if (memo != null && p.isPresent()) {
      if (built.size() >= MAX_BUILT) {
        built.clear();
      }
      built.put(memo, new Built(u, rolesNow, scopes, p.get()));
    }
    return p;
  }

  private record Built(User user, Object roles, Set<String> keyScopes, Principal principal) {}

  private Optional<Principal> build(User u, String sessionId, String keyId, Set<String> scopes) {
    EffectivePermissions e;
    try {
      e = roles.effective(u.role(), u.extraGrants(), u.extraDenies(), u.scopes());
    } catch (IllegalArgumentException ex) {
      return Optional.empty(); // the user's role was deleted: no access rather than a guess
    }
    Set<String> grants = new HashSet<>(e.grantSet());
    if (scopes != null) {
      // A key holds the scopes its owner holds too, never more.
      Set<String> scoped = new HashSet<>();
      for (String s : scopes) {
        if (e.can(s)) {
          scoped.add(s);
        }
      }
      grants = scoped;
    }
    String restricted = keyId == null ? logins.restriction(u) : null;
    return Optional.of(new Principal(u.id(), u.username(), u.role(), grants, e.denySet(), sessionId, restricted,
        u.language(), keyId, e.scope()));
  }

  /** Creates an API key for the principal's user with scopes it holds itself; the key text is shown once. */
  public Map.Entry<String, Map<String, Object>> createApiKey(Principal p, String name, Set<String> scopes,
      Long expiresAt, String source) {
    if (name == null || name.isBlank() || name.length() > 128) {
      throw new IllegalArgumentException("name: " + (name == null ? "missing" : name.length() + " chars")
          + " (expected: 1-128 characters)");
    }
    if (scopes.isEmpty() || scopes.size() > Roles.MAX_PERMISSIONS) {
      throw new IllegalArgumentException("scopes: " + scopes.size() + " (expected: 1-" + Roles.MAX_PERMISSIONS
          + " permissions)");
    }
    for (String s : scopes) {
      String bad = Permissions.problem(s);
      if (bad != null) {
        throw new IllegalArgumentException(bad);
      }
      if (!p.can(s)) {
        throw new IllegalArgumentException("scopes: " + s + " is not held by " + p.username()
            + " (expected: permissions you hold)");
      }
    }
    Map.Entry<String, ApiKeys.Key> k = apiKeys.create(p.userId(), name, scopes, expiresAt);
    audit.append(p.username(), "apikey.created", k.getValue().id(), source, "name=" + name + " scopes=" + scopes);
    return Map.entry(k.getKey(), k.getValue().toView());
  }

  public List<Map<String, Object>> listApiKeys(long userId) {
    return apiKeys.list(userId).stream().map(ApiKeys.Key::toView).toList();
  }

  /** Revokes a key of {@code ownerId} (or any key when {@code any}); false when not found. */
  public boolean revokeApiKey(String id, long ownerId, boolean any, String actor, String source) {
    Optional<ApiKeys.Key> k = apiKeys.find(id);
    if (k.isEmpty() || (!any && k.get().userId() != ownerId) || !apiKeys.revoke(id)) {
      return false;
    }
    audit.append(actor, "apikey.revoked", id, source, "");
    return true;
  }

  /** Settings; {@code jwtKey} (>= 32 bytes) and the enrollment token source are required. */
  public static final class Builder {
    private final DataSource db;
    private Clock clock = Clock.systemUTC();
    private byte[] jwtKey;
    private Supplier<String> enrollmentToken = () -> null;
    private Duration accessTokenTtl = Duration.ofMinutes(10);
    private Duration idleTimeout = Duration.ofHours(8);
    private java.util.function.UnaryOperator<String> scopeChecker = Scopes::basicProblem;
    private NodeCertificateIssuer certificateIssuer;
    private boolean sharedEnrollmentToken = true;
    private boolean requireAgentCertificates;
    private OidcSettings oidc;

    private Builder(DataSource db) {
      this.db = requireNonNull(db, "db");
    }

    /** Enables OpenID Connect login (default: off). */
    public Builder oidc(OidcSettings settings) {
      this.oidc = settings;
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    public Builder jwtKey(byte[] key) {
      this.jwtKey = requireNonNull(key, "jwtKey").clone();
      return this;
    }

    public Builder enrollmentToken(Supplier<String> token) {
      this.enrollmentToken = requireNonNull(token, "enrollmentToken");
      return this;
    }

    /**
     * Issues client certificates to enrolling agents (the server's CA); null (the default): agents
     * get a per-node secret instead (docs/adr/0006-agent-certificates.md).
     */
    public Builder certificateIssuer(NodeCertificateIssuer issuer) {
      this.certificateIssuer = issuer;
      return this;
    }

    /** Whether the installation's shared enrollment token still enrolls nodes (default true). */
    public Builder sharedEnrollmentToken(boolean enabled) {
      this.sharedEnrollmentToken = enabled;
      return this;
    }

    /** Whether every node must authenticate with its client certificate (default false). */
    public Builder requireAgentCertificates(boolean required) {
      this.requireAgentCertificates = required;
      return this;
    }

    /** Access token lifetime; default 10 min, at most 1 h. */
    public Builder accessTokenTtl(Duration ttl) {
      requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("accessTokenTtl: " + ttl + " (expected: > 0 and <= 1h)");
      }
      this.accessTokenTtl = ttl;
      return this;
    }

    /** A session ends after this long without activity; default 8 h. */
    public Builder idleTimeout(Duration d) {
      requireNonNull(d, "idleTimeout");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("idleTimeout: " + d + " (expected: > 0)");
      }
      this.idleTimeout = d;
      return this;
    }

    /**
     * Checks one scope selector as the query language reads it: null when valid, else what is
     * wrong and what was expected. Default: braces only.
     */
    public Builder scopeChecker(java.util.function.UnaryOperator<String> checker) {
      this.scopeChecker = requireNonNull(checker, "scopeChecker");
      return this;
    }

    public Security build() {
      if (jwtKey == null) {
        throw new IllegalArgumentException("jwtKey: missing (expected: >= 32 random bytes)");
      }
      return new Security(this);
    }
  }
}
