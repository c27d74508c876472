package syslens.security;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * User management: create (password policy, bcrypt cost 12, forced change on first login),
 * disable, enable, delete, role and extra permissions (conflicts refused), language, password
 * changes, lockout release. Every change is audited; changes that must end the user's access
 * (disable, delete, role, permissions, password) bump the user's version, which invalidates
 * access tokens at the next request, and end their sessions where the user loses access.
 */
public final class Users {
  public static final Set<String> LANGUAGES = Set.of("en", "zh-CN", "ja-JP");
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

  private final UserStore store;
  private final Roles roles;
  private final PasswordPolicy policy;
  private final Sessions sessions;
  private final ApiKeys keys;
  private final LoginGuard guard;
  private final AuditLog audit;
  private final Scopes scopes;

  Users(UserStore store, Roles roles, PasswordPolicy policy, Sessions sessions, ApiKeys keys, LoginGuard guard,
      AuditLog audit, Scopes scopes) {
    this.scopes = requireNonNull(scopes, "scopes");
    this.store = requireNonNull(store, "store");
    this.roles = requireNonNull(roles, "roles");
    this.policy = requireNonNull(policy, "policy");
    this.sessions = requireNonNull(sessions, "sessions");
    this.keys = requireNonNull(keys, "keys");
    this.guard = requireNonNull(guard, "guard");
    this.audit = requireNonNull(audit, "audit");
  }

  /** Who did something and from where, for the audit log. */
  public record Actor(String name, String source) {
    public static Actor system() {
      return new Actor("system", "local");
    }
  }

  public List<User> list() {
    return store.list();
  }

  public Optional<User> get(String username) {
    return store.find(username);
  }

  public long count() {
    return store.count();
  }

  /** The effective permissions and scope of a user, each with where it comes from. */
  public EffectivePermissions effective(User u) {
    return roles.effective(u.role(), u.extraGrants(), u.extraDenies(), u.scopes());
  }

  /**
   * Sets the scope selectors declared on the user itself (empty: none; the role's still apply).
   * Takes effect at the user's next request; audited with before and after.
   */
  public void setScopes(User u, List<String> selectors, Actor actor) {
    List<String> checked = scopes.check(selectors);
    store.update(u.id(), "scopes = ?", false, ps -> {
      ps.setString(1, Scopes.join(checked));
      return 1;
    });
    audit.append(actor.name(), "user.scopes", u.username(), actor.source(), "before: " + u.scopes()
        + "; after: " + checked);
  }

  /**
   * Creates a user; throws IllegalArgumentException naming what is wrong (name, role, password
   * policy, or a taken name).
   */
  public User create(String username, String password, String role, boolean mustChangePassword, String language,
      Actor actor) {
    if (username == null || !NAME.matcher(username).matches()) {
      throw new IllegalArgumentException("username: \"" + abbreviate(username)
          + "\" (expected: 1-64 of [A-Za-z0-9._@-], starting with a letter or digit)");
    }
    requireRole(role);
    String lang = language == null ? "en" : language;
    requireLanguage(lang);
    policy.check(username, password).ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
    if (!store.insert(username, Passwords.hash(password), role, mustChangePassword, lang)) {
      throw new IllegalArgumentException("username: \"" + username + "\" is taken (expected: a new name)");
    }
    audit.append(actor.name(), "user.created", username, actor.source(), "role=" + role);
    return store.find(username).orElseThrow();
  }

  /** The first admin on an empty database; the password is not checked against the policy. */
  public boolean bootstrapAdmin(String password) {
    if (store.count() > 0) {
      return false;
    }
    store.insert("admin", Passwords.hash(password), "admin", false, "en");
    audit.append("system", "user.created", "admin", "local", "role=admin (first start)");
    return true;
  }

  public void setDisabled(User u, boolean disabled, Actor actor) {
    store.update(u.id(), "disabled = ?", true, ps -> {
      ps.setBoolean(1, disabled);
      return 1;
    });
    if (disabled) {
      sessions.revokeAll(u.id());
    }
    audit.append(actor.name(), disabled ? "user.disabled" : "user.enabled", u.username(), actor.source(), "");
  }

  public void delete(User u, Actor actor) {
    store.delete(u.id());
    sessions.revokeAll(u.id());
    keys.revokeAllOf(u.id());
    audit.append(actor.name(), "user.deleted", u.username(), actor.source(), "");
  }

  /** Sets role and extra permissions; refuses a conflicting set, naming the conflict. */
  public void setPermissions(User u, String role, Set<String> extraGrants, Set<String> extraDenies, Actor actor) {
    requireRole(role);
    for (String p : extraGrants) {
      String bad = Permissions.problem(p);
      if (bad != null) {
        throw new IllegalArgumentException(bad);
      }
    }
    for (String p : extraDenies) {
      String bad = Permissions.problem(p);
      if (bad != null) {
        throw new IllegalArgumentException(bad);
      }
    }
    if (extraGrants.size() + extraDenies.size() > Roles.MAX_PERMISSIONS) {
      throw new IllegalArgumentException("permissions: " + (extraGrants.size() + extraDenies.size())
          + " (expected: <= " + Roles.MAX_PERMISSIONS + ")");
    }
    List<String> conflicts = roles.effective(role, extraGrants, extraDenies).conflicts();
    if (!conflicts.isEmpty()) {
      throw new IllegalArgumentException("conflicting permissions for " + u.username() + ": "
          + String.join("; ", conflicts));
    }
    store.update(u.id(), "role = ?, extra_grants = ?, extra_denies = ?", true, ps -> {
      ps.setString(1, role);
      ps.setString(2, String.join(" ", new java.util.TreeSet<>(extraGrants)));
      ps.setString(3, String.join(" ", new java.util.TreeSet<>(extraDenies)));
      return 3;
    });
    audit.append(actor.name(), "user.permissions", u.username(), actor.source(), "before: role=" + u.role()
        + " grants=" + u.extraGrants() + " denies=" + u.extraDenies() + "; after: role=" + role + " grants="
        + extraGrants + " denies=" + extraDenies);
  }

  public void setLanguage(User u, String language, Actor actor) {
    requireLanguage(language);
    store.update(u.id(), "language = ?", false, ps -> {
      ps.setString(1, language);
      return 1;
    });
    audit.append(actor.name(), "user.language", u.username(), actor.source(), language);
  }

  /** An admin sets a new password; the user must change it at the next login. */
  public void resetPassword(User u, String password, Actor actor) {
    policy.check(u.username(), password).ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
    store.update(u.id(), "password_hash = ?, must_change_password = TRUE", true, ps -> {
      ps.setString(1, Passwords.hash(password));
      return 1;
    });
    sessions.revokeAll(u.id());
    audit.append(actor.name(), "user.password_reset", u.username(), actor.source(), "");
  }

  /** The user changes their own password (needs the current one). Other sessions end. */
  public void changeOwnPassword(User u, String current, String next, String keepSession, Actor actor) {
    if (!Passwords.verify(current == null ? "" : current, u.passwordHash())) {
      audit.append(actor.name(), "user.password_change_failed", u.username(), actor.source(), "wrong current password");
      throw new IllegalArgumentException("currentPassword: wrong (expected: the password you logged in with)");
    }
    if (Passwords.verify(next == null ? "" : next, u.passwordHash())) {
      throw new IllegalArgumentException("newPassword: same as the current one (expected: a different password)");
    }
    policy.check(u.username(), next).ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
    store.update(u.id(), "password_hash = ?, must_change_password = FALSE", true, ps -> {
      ps.setString(1, Passwords.hash(next));
      return 1;
    });
    sessions.revokeAllExcept(u.id(), keepSession);
    audit.append(actor.name(), "user.password_changed", u.username(), actor.source(), "");
  }

  /** Lifts login lockouts of a user (an admin's decision). */
  public void unlock(User u, Actor actor) {
    guard.unlock(u.username());
    audit.append(actor.name(), "user.unlocked", u.username(), actor.source(), "");
  }

  public boolean lockedForUnknownSources(User u) {
    return guard.lockedForUntrusted(u.username());
  }

  private void requireRole(String role) {
    if (role == null || roles.get(role).isEmpty()) {
      throw new IllegalArgumentException("role: \"" + abbreviate(role) + "\" (expected: one of "
          + roles.all().stream().map(Role::name).toList() + ")");
    }
  }

  private static void requireLanguage(String lang) {
    if (!LANGUAGES.contains(lang)) {
      throw new IllegalArgumentException("language: \"" + abbreviate(lang) + "\" (expected: one of en, zh-CN, ja-JP)");
    }
  }

  static String abbreviate(String s) {
    return s == null ? "" : s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}
