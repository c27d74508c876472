package syslens.security;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * OpenID Connect authorization-code login (with PKCE S256, state and nonce kept here for
 * {@link #PENDING_TTL}, at most {@link #MAX_PENDING} at once). The provider is discovered on
 * first use; the ID token is checked (JWKS signature, issuer, audience, expiry, nonce) by the
 * Nimbus OAuth 2.0 SDK. A successful login becomes a normal SysLens session, handed to the
 * browser through a one-time code (single use, {@link #HANDOFF_TTL}). Every login and refusal is
 * audited. Blocking (HTTP to the provider, JDBC).
 */
public final class OidcLogins {
  static final Duration PENDING_TTL = Duration.ofMinutes(5);
  static final Duration HANDOFF_TTL = Duration.ofSeconds(60);
  static final int MAX_PENDING = 10_000;
  static final int TIMEOUT_MS = 10_000;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

  /** What {@link #callback} decided: a one-time code for the dashboard, or why not. */
  public sealed interface Outcome {
    record LoggedIn(String handoffCode) implements Outcome {}

    record Refused(String reason) implements Outcome {}
  }

  private record Pending(Nonce nonce, CodeVerifier verifier, long at) {}

  private record Handoff(LoginResult.Success login, long at) {}

  private final OidcSettings settings;
  private final Logins logins;
  private final Roles roles;
  private final AuditLog audit;
  private final Clock clock;
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Handoff> handoffs = new ConcurrentHashMap<>();
  private final BoundedHttpSender sender = new BoundedHttpSender(Duration.ofMillis(TIMEOUT_MS));
  private volatile OIDCProviderMetadata provider;
  private volatile IDTokenValidator validator;

  OidcLogins(OidcSettings settings, Logins logins, Roles roles, AuditLog audit, Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.logins = requireNonNull(logins, "logins");
    this.roles = requireNonNull(roles, "roles");
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The provider's authorization URL for a new login; throws IllegalStateException when too many are pending. */
  public URI start() {
    OIDCProviderMetadata md = provider();
    long now = clock.millis();
    sweep(pending, now, PENDING_TTL, Pending::at);
    if (pending.size() >= MAX_PENDING) {
      throw new IllegalStateException("too many single sign-on logins in progress (expected: retry in a few minutes)");
    }
    State state = new State();
    Nonce nonce = new Nonce();
    CodeVerifier verifier = new CodeVerifier();
    pending.put(state.getValue(), new Pending(nonce, verifier, now));
    return new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "profile", "email"),
        new ClientID(settings.clientId()), settings.callback())
        .endpointURI(md.getAuthorizationEndpointURI())
        .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
        .build().toURI();
  }

  /** The provider sent the browser back with {@code state} and {@code code} (or {@code error}). */
  public Outcome callback(String state, String code, String error, String source) {
    Pending p = state == null ? null : pending.remove(state);
    if (p == null || clock.millis() - p.at() > PENDING_TTL.toMillis()) {
      return refuse("?", source, "unknown or expired state (expected: start the login again)");
    }
    if (error != null) {
      return refuse("?", source, "the provider answered " + abbreviate(error));
    }
    if (code == null || code.isBlank() || code.length() > 4096) {
      return refuse("?", source, "missing authorization code");
    }
    IDTokenClaimsSet claims;
    try {
      OIDCProviderMetadata md = provider();
      TokenRequest tr = new TokenRequest(md.getTokenEndpointURI(),
          new ClientSecretBasic(new ClientID(settings.clientId()), new Secret(settings.clientSecret())),
          new AuthorizationCodeGrant(new AuthorizationCode(code), settings.callback(), p.verifier()));
      TokenResponse resp = OIDCTokenResponseParser.parse(tr.toHTTPRequest().send(sender));
      if (!resp.indicatesSuccess()) {
        return refuse("?", source, "token request refused: "
            + abbreviate(String.valueOf(resp.toErrorResponse().getErrorObject().getCode())));
      }
      JWT idToken = ((OIDCTokenResponse) resp.toSuccessResponse()).getOIDCTokens().getIDToken();
      claims = validator.validate(idToken, p.nonce());
    } catch (Exception e) {
      return refuse("?", source, "ID token or token request invalid: " + abbreviate(String.valueOf(e.getMessage())));
    }
    String subject = claims.getSubject().getValue();
    String username = claims.getStringClaim("preferred_username");
    if (username == null || !NAME.matcher(username).matches()) {
      username = subject;
    }
    if (!NAME.matcher(username).matches()) {
      return refuse(abbreviate(username), source, "no usable username (expected: preferred_username or sub of "
          + "1-64 of [A-Za-z0-9._@-])");
    }
    String role = role(claims);
    if (role == null) {
      return refuse(username, source, "no group of claim \"" + settings.groupsClaim() + "\" is mapped to a role");
    }
    if (roles.get(role).isEmpty()) {
      return refuse(username, source, "mapped role \"" + abbreviate(role) + "\" does not exist");
    }
    sweep(handoffs, clock.millis(), HANDOFF_TTL, Handoff::at);
    if (handoffs.size() >= MAX_PENDING) {
      return refuse(username, source, "too many sign-ins waiting for the dashboard (expected: retry in a minute)");
    }
    LoginResult r = logins.loginExternal(settings.issuer().toString(), subject, username, role,
        claims.getStringClaim("locale"), source);
    if (!(r instanceof LoginResult.Success s)) {
      return new Outcome.Refused(r instanceof LoginResult.Invalid i ? i.reason() : "single sign-on refused");
    }
    long now = clock.millis();
    String handoff = Passwords.randomToken();
    handoffs.put(handoff, new Handoff(s, now));
    return new Outcome.LoggedIn(handoff);
  }

  /** The session for a one-time code from {@link #callback}; empty when unknown, used or expired. */
  public java.util.Optional<LoginResult.Success> exchange(String handoffCode) {
    Handoff h = handoffCode == null ? null : handoffs.remove(handoffCode);
    if (h == null || clock.millis() - h.at() > HANDOFF_TTL.toMillis()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(h.login());
  }

  private String role(IDTokenClaimsSet claims) {
    Object raw = claims.getClaim(settings.groupsClaim());
    List<?> groups = raw instanceof List<?> l ? l : raw instanceof String str ? List.of(str) : List.of();
    for (Object g : groups) {
      String role = settings.groupRoles().get(String.valueOf(g));
      if (role != null) {
        return role;
      }
    }
    return settings.defaultRole();
  }

  private OIDCProviderMetadata provider() {
    OIDCProviderMetadata md = provider;
    if (md == null) {
      synchronized (this) {
        if (provider == null) {
          try {
            md = OIDCProviderMetadata.resolve(new Issuer(settings.issuer()), TIMEOUT_MS, TIMEOUT_MS);
            validator = new IDTokenValidator(md.getIssuer(), new ClientID(settings.clientId()), signingAlgorithm(md),
                md.getJWKSetURI().toURL());
          } catch (Exception e) {
            throw new IllegalStateException("oidc discovery at " + settings.issuer() + " failed: " + e.getMessage(), e);
          }
          provider = md;
        }
        md = provider;
      }
    }
    return md;
  }

  /** RS256 (every provider must offer it) unless the provider signs ID tokens only with another public-key algorithm. */
  static JWSAlgorithm signingAlgorithm(OIDCProviderMetadata md) {
    List<JWSAlgorithm> offered = md.getIDTokenJWSAlgs() == null ? List.of() : md.getIDTokenJWSAlgs();
    if (offered.isEmpty() || offered.contains(JWSAlgorithm.RS256)) {
      return JWSAlgorithm.RS256;
    }
    return offered.stream().filter(a -> JWSAlgorithm.Family.RSA.contains(a) || JWSAlgorithm.Family.EC.contains(a))
        .findFirst().orElse(JWSAlgorithm.RS256);
  }

  private Outcome refuse(String username, String source, String reason) {
    audit.append(username, "login.failed", username, source, "oidc: " + reason);
    return new Outcome.Refused("single sign-on refused: " + reason);
  }

  private static <V> void sweep(Map<String, V> m, long now, Duration ttl, java.util.function.ToLongFunction<V> at) {
    m.values().removeIf(v -> now - at.applyAsLong(v) > ttl.toMillis());
  }

  private static String abbreviate(String s) {
    return Users.abbreviate(s);
  }
}
