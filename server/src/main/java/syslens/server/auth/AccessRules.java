package syslens.server.auth;

import com.linecorp.armeria.common.HttpMethod;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one table of which permission each authenticated endpoint needs (function-level access
 * control, checked by {@link AuthDecorator} for every route, not per endpoint). First match
 * wins; an authenticated path without a rule is refused (403), so a new endpoint must be added
 * here to be reachable. Public routes are not decorated by {@link AuthDecorator} and have no row
 * here: {@code /healthz}, {@code /readyz}, {@code /api/v1/auth/login}, {@code /refresh}, and
 * single sign-on {@code /api/v1/auth/oidc}, {@code /start}, {@code /callback}, {@code /exchange}
 * ({@link OidcApi}; AuthorizationMatrixTest lists them as PUBLIC).
 */
public final class AccessRules {
  /** Any authenticated principal. */
  static final String AUTHENTICATED = "";
  private static final Set<HttpMethod> READ = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST);
  private static final Set<HttpMethod> GET = Set.of(HttpMethod.GET, HttpMethod.HEAD);
  private static final Set<HttpMethod> ANY = Set.of(HttpMethod.values());

  /**
   * One row: a path (exact, or a prefix when it ends with {@code /}; a {@code *} segment matches
   * one path segment), the methods, the
   * permission needed, and whether a restricted principal (must change password / enroll TOTP)
   * may use it.
   */
  public record Rule(String path, Set<HttpMethod> methods, String permission, boolean allowRestricted) {
    boolean matches(HttpMethod m, String p) {
      if (!methods.contains(m)) {
        return false;
      }
      if (path.contains("/*/")) {
        String[] want = path.split("/", -1);
        String[] got = p.split("/", -1);
        if (want.length != got.length) {
          return false;
        }
        for (int i = 0; i < want.length; i++) {
          if (!(want[i].equals("*") ? !got[i].isEmpty() : want[i].equals(got[i]))) {
            return false;
          }
        }
        return true;
      }
      return path.endsWith("/") ? p.startsWith(path) : p.equals(path);
    }
  }

  static final List<Rule> RULES = List.of(
      // The user's own account and session: any authenticated user, also while restricted.
      new Rule("/api/v1/auth/logout", ANY, AUTHENTICATED, true),
      new Rule("/api/v1/auth/logout-all", ANY, AUTHENTICATED, true),
      new Rule("/api/v1/auth/password", ANY, AUTHENTICATED, true),
      new Rule("/api/v1/auth/totp/", ANY, AUTHENTICATED, true),
      new Rule("/api/v1/me", ANY, AUTHENTICATED, true),
      // The address scheduled reports to the user go to (ReportsWiring).
      new Rule("/api/v1/me/email", GET, AUTHENTICATED, false),
      new Rule("/api/v1/me/email", Set.of(HttpMethod.PUT), AUTHENTICATED, false),
      new Rule("/api/v1/apikeys", ANY, AUTHENTICATED, false),
      new Rule("/api/v1/apikeys/", ANY, AUTHENTICATED, false),
      // Monitoring.
      new Rule("/api/v1/nodes", GET, "monitoring:node:read", false),
      new Rule("/api/v1/fleet/overview", GET, "monitoring:node:read", false),
      // Custom dashboards: read own and shared ones; write (create, save, delete) own ones.
      new Rule("/api/v1/dashboards", GET, "monitoring:dashboard:read", false),
      new Rule("/api/v1/dashboards/", GET, "monitoring:dashboard:read", false),
      new Rule("/api/v1/dashboards", Set.of(HttpMethod.POST), "monitoring:dashboard:write", false),
      new Rule("/api/v1/dashboards/", Set.of(HttpMethod.PUT, HttpMethod.DELETE), "monitoring:dashboard:write", false),
      // Control plane: configuration, groups, commands (docs/api.md).
      new Rule("/api/v1/nodes/*/group", Set.of(HttpMethod.PUT), "system:node:manage", false),
      new Rule("/api/v1/nodes/", Set.of(HttpMethod.DELETE), "system:node:manage", false),
      new Rule("/api/v1/groups", GET, "system:node:read", false),
      new Rule("/api/v1/groups/", GET, "system:node:read", false),
      new Rule("/api/v1/config/", GET, "system:node:read", false),
      new Rule("/api/v1/config/", ANY, "system:node:manage", false),
      new Rule("/api/v1/commands", GET, "system:node:read", false),
      new Rule("/api/v1/commands", Set.of(HttpMethod.POST), "system:node:manage", false),
      new Rule("/api/v1/query", READ, "monitoring:query:read", false),
      new Rule("/api/v1/query_range", READ, "monitoring:query:read", false),
      new Rule("/api/v1/labels", READ, "monitoring:query:read", false),
      new Rule("/api/v1/label/", GET, "monitoring:query:read", false),
      new Rule("/api/v1/series", READ, "monitoring:query:read", false),
      new Rule("/api/v1/metadata", READ, "monitoring:query:read", false),
      new Rule("/api/v1/query_exemplars", READ, "monitoring:query:read", false),
      new Rule("/api/v1/format_query", READ, "monitoring:query:read", false),
      new Rule("/api/v1/status/buildinfo", READ, "monitoring:query:read", false),
      new Rule("/api/v1/status/runtimeinfo", READ, "monitoring:query:read", false),
      new Rule("/api/v1/status/flags", READ, "monitoring:query:read", false),
      new Rule("/api/v1/live", GET, "monitoring:live:read", false),
      new Rule("/metrics", GET, "monitoring:selfmetrics:read", false),
      // Ingest doors (Prometheus remote-write, text import): writing metrics.
      new Rule("/api/v1/write", Set.of(HttpMethod.POST), "monitoring:metrics:write", false),
      new Rule("/api/v1/import/prometheus", Set.of(HttpMethod.POST), "monitoring:metrics:write", false),
      new Rule("/api/v1/vcenters", GET, "monitoring:vsphere:read", false),
      new Rule("/api/v1/vcenters/tree", GET, "monitoring:vsphere:read", false),
      new Rule("/api/v1/vcenters/inventory", GET, "monitoring:vsphere:read", false),
      new Rule("/api/v1/vcenters", ANY, "system:vcenter:manage", false),
      new Rule("/api/v1/vcenters/", ANY, "system:vcenter:manage", false),
      // vSphere guest collection: credentials (secrets masked) and per-VM status readable as vCenters are.
      new Rule("/api/v1/guest-credentials", GET, "monitoring:vsphere:read", false),
      new Rule("/api/v1/guest-credentials/status", GET, "monitoring:vsphere:read", false),
      new Rule("/api/v1/guest-credentials", ANY, "system:vcenter:manage", false),
      new Rule("/api/v1/guest-credentials/", ANY, "system:vcenter:manage", false),
      // Alerting: notification (silences, receivers, config, acknowledgements, delivery log).
      new Rule("/api/v1/silences", GET, "alerts:silence:read", false),
      new Rule("/api/v1/silences/", GET, "alerts:silence:read", false),
      new Rule("/api/v1/silences", ANY, "alerts:silence:manage", false),
      new Rule("/api/v1/silences/", ANY, "alerts:silence:manage", false),
      new Rule("/api/v1/receivers", GET, "alerts:receiver:read", false),
      new Rule("/api/v1/alerting/config", ANY, "alerts:receiver:manage", false),
      new Rule("/api/v1/alerting/alerts", GET, "alerts:alert:read", false),
      new Rule("/api/v1/notifications", GET, "alerts:notification:read", false),
      new Rule("/api/v1/alerts/*/ack", GET, "alerts:alert:read", false),
      new Rule("/api/v1/alerts/*/ack", ANY, "alerts:alert:write", false),
      // Alert rules and alerts (the rules half of alerting).
      new Rule("/api/v1/rules", GET, "alerts:rule:read", false),
      new Rule("/api/v1/alerts", GET, "alerts:alert:read", false),
      new Rule("/api/v1/alerts/history", GET, "alerts:alert:read", false),
      new Rule("/api/v1/alerts/baseline", GET, "alerts:rule:read", false),
      new Rule("/api/v1/alert-rules", GET, "alerts:rule:read", false),
      new Rule("/api/v1/alert-rules/", GET, "alerts:rule:read", false),
      new Rule("/api/v1/alert-rules", ANY, "alerts:rule:manage", false),
      new Rule("/api/v1/alert-rules/", ANY, "alerts:rule:manage", false),
      // Reports (the report module): reading the caller's own stored reports, running one.
      new Rule("/api/v1/reports", GET, "monitoring:report:read", false),
      new Rule("/api/v1/reports", Set.of(HttpMethod.POST), "monitoring:report:write", false),
      new Rule("/api/v1/reports/", GET, "monitoring:report:read", false),
      // Report schedules: the caller's own (others' answer 403 in the report module).
      new Rule("/api/v1/report-schedules", GET, "monitoring:report:read", false),
      new Rule("/api/v1/report-schedules", Set.of(HttpMethod.POST), "monitoring:report:write", false),
      new Rule("/api/v1/report-schedules/", GET, "monitoring:report:read", false),
      new Rule("/api/v1/report-schedules/", Set.of(HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.POST),
          "monitoring:report:write", false),
      // Administration.
      new Rule("/api/v1/users", ANY, "users:user:manage", false),
      new Rule("/api/v1/users/", ANY, "users:user:manage", false),
      new Rule("/api/v1/roles", GET, "users:role:read", false),
      new Rule("/api/v1/roles/", GET, "users:role:read", false),
      new Rule("/api/v1/roles", ANY, "users:role:manage", false),
      new Rule("/api/v1/roles/", ANY, "users:role:manage", false),
      new Rule("/api/v1/audit", GET, "system:audit:read", false),
      new Rule("/api/v1/audit/", GET, "system:audit:read", false),
      new Rule("/api/v1/node-credentials", GET, "system:node:read", false),
      new Rule("/api/v1/node-credentials/", ANY, "system:node:manage", false),
      new Rule("/api/v1/node-certificates", GET, "system:node:read", false),
      new Rule("/api/v1/node-certificates/", ANY, "system:node:manage", false),
      new Rule("/api/v1/enrollment-tokens", GET, "system:node:read", false),
      new Rule("/api/v1/enrollment-tokens", ANY, "system:node:manage", false),
      new Rule("/api/v1/enrollment-tokens/", ANY, "system:node:manage", false),
      new Rule("/api/v1/admin/snapshot", Set.of(HttpMethod.POST), "system:backup:manage", false),
      // Unknown API paths answer 404 to anyone authenticated.
      new Rule("/api/", ANY, AUTHENTICATED, false));

  private AccessRules() {}

  static Optional<Rule> find(HttpMethod method, String path) {
    for (Rule r : RULES) {
      if (r.matches(method, path)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
