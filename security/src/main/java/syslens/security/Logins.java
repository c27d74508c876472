package syslens.security;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Password (+ TOTP) logins, refresh, logout. Cheapest checks first: lockout, then the user row;
 * unknown and disabled users never reach bcrypt (their 401 is delayed by about one bcrypt time,
 * so timing does not tell which names exist); known users wait for a fair bcrypt slot
 * ({@link LoginGuard}). Blocking: call from a thread that may block on bcrypt and JDBC.
 */
public final class Logins {
  static final int RECOVERY_CODES = 10;

  private final UserStore users;
  private final Roles roles;
  private final Sessions sessions;
  private final AccessTokens tokens;
  private final LoginGuard guard;
  private final AuditLog audit;
  private final Clock clock;
  /** Recent bcrypt verification time (EMA, ns): how long an unknown user's 401 waits. */
  private final AtomicLong bcryptNanos = new AtomicLong(Duration.ofMillis(250).toNanos());

  Logins(UserStore users, Roles roles, Sessions sessions, AccessTokens tokens, LoginGuard guard, AuditLog audit,
      Clock clock) {
    this.users = requireNonNull(users, "users");
    this.roles = requireNonNull(roles, "roles");
    this.sessions = requireNonNull(sessions, "sessions");
    this.tokens = requireNonNull(tokens, "tokens");
    this.guard = requireNonNull(guard, "guard");
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * One login attempt from {@code source} (an address or address block).
   *
   * @param code a TOTP code or recovery code, or null
   */
  public LoginResult login(String username, String password, String code, String source) {
    requireNonNull(username, "username");
    requireNonNull(password, "password");
    requireNonNull(source, "source");
    Duration locked = guard.lockedFor(username, source);
    if (!locked.isZero()) {
      audit.append(username, "login.locked", username, source, "refused while locked");
      return new LoginResult.Refused(roundUp(locked), "too many failed logins for this account from your address "
          + "(expected: wait for the lock to expire or ask an administrator to unlock the account)");
    }
    Optional<User> found = users.find(username);
    if (found.isEmpty() || found.get().disabled()) {
      audit.append(username, "login.failed", username, source, found.isEmpty() ? "unknown user" : "user disabled");
      return new LoginResult.Invalid(Duration.ofNanos(bcryptNanos.get()), "invalid username or password");
    }
    User u = found.get();
    boolean ok;
    try (LoginGuard.Slot slot = guard.acquire(username, source)) {
      if (slot == null) {
        return new LoginResult.Refused(Duration.ofSeconds(1), "too many logins in progress (expected: retry in a second)");
      }
      long t0 = System.nanoTime();
      ok = Passwords.verify(password, u.passwordHash());
      long took = System.nanoTime() - t0;
      bcryptNanos.updateAndGet(v -> (v * 7 + took) / 8);
    }
    if (!ok) {
      guard.failure(username, source);
      audit.append(username, "login.failed", username, source, "wrong password");
      return new LoginResult.Invalid(Duration.ZERO, "invalid username or password");
    }
    if (u.totpEnabled()) {
      if (code == null || code.isBlank()) {
        return new LoginResult.TotpRequired();
      }
      if (!Totp.verify(u.totpSecret(), code.strip(), clock.instant().getEpochSecond()) && !useRecoveryCode(u, code)) {
        guard.failure(username, source);
        audit.append(username, "login.failed", username, source, "wrong second factor");
        return new LoginResult.Invalid(Duration.ZERO, "invalid second-factor code");
      }
    }
    guard.success(username, source);
    Sessions.Issued s = sessions.create(u.id(), source);
    audit.append(username, "login.succeeded", username, source, "session " + s.sessionId());
    return success(u, s);
  }

  /** The stored "password hash" of a user that only an identity provider logs in: no password verifies it. */
  static String externalMarker(String issuer, String subject) {
    return "!oidc:" + Passwords.sha256(issuer + " " + subject);
  }

  /**
   * A login vouched for by an OpenID Connect provider ({@code issuer}, {@code subject}): creates
   * the user on first login (no usable password), sets its role on every login, refuses disabled
   * users and local accounts of the same name (the account stays bound to that provider subject).
   */
  LoginResult loginExternal(String issuer, String subject, String username, String role, String language,
      String source) {
    String marker = externalMarker(issuer, subject);
    Optional<User> found = users.find(username);
    if (found.isEmpty()) {
      String lang = language != null && Users.LANGUAGES.contains(language) ? language : "en";
      if (!users.insert(username, marker, role, false, lang)) {
        audit.append(username, "login.failed", username, source, "oidc: user could not be created");
        return new LoginResult.Invalid(Duration.ZERO, "single sign-on refused (expected: a free username)");
      }
      audit.append("oidc", "user.created", username, source, "role=" + role + " (single sign-on)");
      found = users.find(username);
    }
    User u = found.orElseThrow();
    if (!marker.equals(u.passwordHash())) {
      audit.append(username, "login.failed", username, source, "oidc: name belongs to a local account or another subject");
      return new LoginResult.Invalid(Duration.ZERO, "single sign-on refused: \"" + username
          + "\" is a local account (expected: an account created by single sign-on)");
    }
    if (u.disabled()) {
      audit.append(username, "login.failed", username, source, "oidc: user disabled");
      return new LoginResult.Invalid(Duration.ZERO, "single sign-on refused: user disabled");
    }
    if (!u.role().equals(role)) {
      users.update(u.id(), "role = ?", true, ps -> {
        ps.setString(1, role);
        return 1;
      });
      audit.append("oidc", "user.role", username, source, u.role() + " -> " + role + " (group mapping)");
      u = users.find(username).orElseThrow();
    }
    Sessions.Issued s = sessions.create(u.id(), source);
    audit.append(username, "login.succeeded", username, source, "oidc session " + s.sessionId());
    return success(u, s);
  }

  /** A new access token (and refresh token) for a refresh token; replays end the session. */
  public LoginResult refresh(String refreshToken, String source) {
    Sessions.Rotation r = sessions.rotate(refreshToken);
    if (r.issued() == null) {
      if (r.problem() == Sessions.RotateProblem.REPLAYED) {
        audit.append("user#" + r.userId(), "session.replay", "user#" + r.userId(), source,
            "a used refresh token was presented again; session ended");
      }
      return new LoginResult.Invalid(Duration.ZERO, "refresh token invalid, used or expired (expected: log in again)");
    }
    Optional<User> u = users.findCached(r.userId());
    if (u.isEmpty() || u.get().disabled()) {
      sessions.revoke(r.issued().sessionId());
      return new LoginResult.Invalid(Duration.ZERO, "refresh token invalid, used or expired (expected: log in again)");
    }
    return success(u.get(), r.issued());
  }

  /** A fresh access token for a live session (after a password change, which ends old tokens). */
  public Optional<LoginResult.Success> reissue(Principal p) {
    Optional<User> u = users.findCached(p.userId());
    if (u.isEmpty() || p.sessionId() == null) {
      return Optional.empty();
    }
    long exp = clock.millis() + tokens.ttl().toMillis();
    String t = tokens.issue(u.get(), p.sessionId(), java.time.Instant.ofEpochMilli(exp));
    return Optional.of(new LoginResult.Success(u.get(), t, exp, null, 0, restriction(u.get())));
  }

  public void logout(Principal p, String source) {
    if (p.sessionId() != null) {
      sessions.revoke(p.sessionId());
    }
    audit.append(p.username(), "logout", p.username(), source, "session " + p.sessionId());
  }

  /** Ends every session and access token of the user. */
  public int logoutEverywhere(Principal p, String source) {
    int n = sessions.revokeAll(p.userId());
    users.update(p.userId(), "", true, ps -> 0);
    audit.append(p.username(), "logout.everywhere", p.username(), source, n + " sessions ended");
    return n;
  }

  /** Starts TOTP enrolment: a new secret (not active until {@link #confirmTotp}). */
  public String beginTotp(Principal p) {
    String secret = Totp.newSecret();
    users.update(p.userId(), "totp_secret = ?, totp_enabled = FALSE", false, ps -> {
      ps.setString(1, secret);
      return 1;
    });
    return Totp.otpauthUri("SysLens", p.username(), secret);
  }

  /** Activates TOTP when {@code code} matches the pending secret; returns the recovery codes (shown once). */
  public List<String> confirmTotp(Principal p, String code, String source) {
    User u = users.findCached(p.userId()).orElseThrow(() -> new IllegalArgumentException("user: gone"));
    if (u.totpSecret() == null || !Totp.verify(u.totpSecret(), code, clock.instant().getEpochSecond())) {
      throw new IllegalArgumentException("code: does not match (expected: the 6 digits your authenticator shows now)");
    }
    List<String> codes = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < RECOVERY_CODES; i++) {
      String c = Passwords.random(10).toLowerCase(java.util.Locale.ROOT);
      codes.add(c);
      hashes.add(Passwords.sha256(c));
    }
    users.update(p.userId(), "totp_enabled = TRUE, recovery_codes = ?", true, ps -> {
      ps.setString(1, String.join(" ", hashes));
      return 1;
    });
    audit.append(p.username(), "totp.enabled", p.username(), source, "");
    return codes;
  }

  /** Turns TOTP off for a user (their own choice or an admin's). */
  public void disableTotp(long userId, String actor, String target, String source) {
    users.update(userId, "totp_enabled = FALSE, totp_secret = NULL, recovery_codes = ''", true, ps -> 0);
    audit.append(actor, "totp.disabled", target, source, "");
  }

  private boolean useRecoveryCode(User u, String code) {
    String h = Passwords.sha256(code.strip().toLowerCase(java.util.Locale.ROOT));
    List<String> left = new ArrayList<>(Roles.split(u.recoveryCodes()));
    if (!left.remove(h)) {
      return false;
    }
    users.update(u.id(), "recovery_codes = ?", false, ps -> {
      ps.setString(1, String.join(" ", left));
      return 1;
    });
    audit.append(u.username(), "totp.recovery_code_used", u.username(), "", left.size() + " left");
    return true;
  }

  private LoginResult.Success success(User u, Sessions.Issued s) {
    long exp = clock.millis() + tokens.ttl().toMillis();
    String access = tokens.issue(u, s.sessionId(), java.time.Instant.ofEpochMilli(exp));
    return new LoginResult.Success(u, access, exp, s.refreshToken(), s.expiresAt(), restriction(u));
  }

  /** What the user must do before using anything else, or null. */
  String restriction(User u) {
    if (u.mustChangePassword()) {
      return "change_password";
    }
    if (!u.totpEnabled() && roles.effective(u.role(), u.extraGrants(), u.extraDenies()).requireTotp()) {
      return "enroll_totp";
    }
    return null;
  }

  private static Duration roundUp(Duration d) {
    return Duration.ofSeconds(Math.max(1, (d.toMillis() + 999) / 1000));
  }
}
