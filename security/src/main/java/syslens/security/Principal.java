package syslens.security;

import java.util.List;
import java.util.Set;

/**
 * Who an authenticated request speaks for, as of now: the user's current role and effective
 * permissions (not what the token said when it was issued). {@code restricted} is what the user
 * must do first ({@code change_password}, {@code enroll_totp}) or null; {@code apiKeyId} is set
 * when the request came with an API key (then there is no session). {@code scope} is the
 * effective resource scope, label selectors of which a series, node or alert must match at least
 * one to be visible; null when the principal is unscoped (sees everything its permissions allow).
 */
public record Principal(long userId, String username, String role, Set<String> grants, Set<String> denies,
    String sessionId, String restricted, String language, String apiKeyId, List<String> scope) {

  public Principal {
    grants = Set.copyOf(grants);
    denies = Set.copyOf(denies);
    scope = scope == null ? null : List.copyOf(scope);
  }

  /** An unscoped principal. */
  public Principal(long userId, String username, String role, Set<String> grants, Set<String> denies,
      String sessionId, String restricted, String language, String apiKeyId) {
    this(userId, username, role, grants, denies, sessionId, restricted, language, apiKeyId, null);
  }

  /** True when the principal holds {@code permission} ({@code module:resource:action}). */
  public boolean can(String permission) {
    return Permissions.implies(grants, permission) && !Permissions.implies(denies, permission);
  }

  /** True when a scope limits what the principal sees. */
  public boolean scoped() {
    return scope != null;
  }
}
