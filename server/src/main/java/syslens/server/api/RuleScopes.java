package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import syslens.alerting.rules.BuiltinRules;
import syslens.alerting.rules.GroupSpec;
import syslens.alerting.rules.RuleJson;
import syslens.alerting.rules.RuleSpec;
import syslens.security.Principal;
import syslens.server.auth.AuthDecorator;
import syslens.server.auth.RequestScope;
import syslens.storage.Matcher;

/**
 * Who may see and change which rule groups. A group records its owner and the scope it was saved
 * under; its rules are evaluated under that scope (their selections see only the scope's series).
 * <ul>
 *   <li>An unscoped principal sees and edits every group; editing keeps the group's scope.
 *   <li>A scoped principal sees the built-in group (read only) and the groups whose scope lies
 *       within its own (every selector of the group's scope is one of its selectors: a team's
 *       members share the team's groups); it edits and deletes only those, and what it saves takes
 *       its scope.
 *   <li>A scoped principal may not save recording rules (they write series that other scopes
 *       could read) nor rule labels that set a label its scope selects on (they would move alerts
 *       out of the scope).
 * </ul>
 */
final class RuleScopes {
  private static final int SUMMARY_CHARS = 900;
  private final RequestScope scope;

  RuleScopes(RequestScope scope) {
    this.scope = requireNonNull(scope, "scope");
  }

  List<List<Matcher>> scope(ServiceRequestContext ctx) {
    return scope.of(ctx);
  }

  private static Principal principal(ServiceRequestContext ctx) {
    return ctx.attr(AuthDecorator.PRINCIPAL);
  }

  boolean readable(ServiceRequestContext ctx, GroupSpec g) {
    return BuiltinRules.GROUP.equals(g.name()) || writable(ctx, g);
  }

  boolean writable(ServiceRequestContext ctx, GroupSpec g) {
    Principal p = principal(ctx);
    if (p == null || !p.scoped()) {
      return true;
    }
    return !g.scope().isEmpty() && p.scope().containsAll(g.scope());
  }

  HttpResponse forbidden(ServiceRequestContext ctx, GroupSpec g) {
    return ApiErrors.error(HttpStatus.FORBIDDEN, "forbidden", "rule group \"" + g.name()
        + "\" belongs to another scope (expected: a group created within your scope "
        + principal(ctx).scope() + ", or a new group name)");
  }

  /** Why a scoped principal may not save {@code g}, or null. */
  String problem(ServiceRequestContext ctx, GroupSpec g) {
    Principal p = principal(ctx);
    if (p == null || !p.scoped()) {
      return null;
    }
    Set<String> scopedNames = new HashSet<>();
    for (List<Matcher> sel : scope.of(p)) {
      sel.forEach(m -> scopedNames.add(m.name()));
    }
    for (RuleSpec r : g.rules()) {
      if (!r.alerting()) {
        return "group \"" + g.name() + "\" rule \"" + r.name() + "\": recording rules are not available "
            + "to a scoped user (expected: alerting rules; a recording rule writes series other scopes could read)";
      }
      for (String label : r.labels().keySet()) {
        if (scopedNames.contains(label)) {
          return "group \"" + g.name() + "\" rule \"" + r.name() + "\": labels." + label + " would move its "
              + "alerts outside your scope " + p.scope() + " (expected: no rule label named " + label + ")";
        }
      }
    }
    return null;
  }

  /** {@code g} with its owner (kept from {@code old}) and the scope it is saved under. */
  GroupSpec own(ServiceRequestContext ctx, GroupSpec g, GroupSpec old, String actor) {
    Principal p = principal(ctx);
    String owner = old != null && !old.owner().isEmpty() ? old.owner() : actor;
    List<String> s = p != null && p.scoped() ? p.scope() : old != null ? old.scope() : List.of();
    return g.owned(owner, s);
  }

  /** The group as the API shows it: the JSON model plus owner and scope. */
  static Map<String, Object> view(GroupSpec g) {
    Map<String, Object> m = new LinkedHashMap<>(RuleJson.group(g));
    m.put("owner", g.owner());
    m.put("scope", g.scope());
    return m;
  }

  /** For the audit log: a digest of the group's text, its scope and its rules (cut short). */
  static String summary(GroupSpec g) {
    if (g == null) {
      return "none";
    }
    StringBuilder b = new StringBuilder("sha256:").append(digest(RuleJson.groupText(g))).append(" scope=")
        .append(g.scope()).append(" rules=[");
    for (RuleSpec r : g.rules()) {
      b.append(r.name()).append(": ").append(r.expr()).append("; ");
      if (b.length() > SUMMARY_CHARS) {
        return b.substring(0, SUMMARY_CHARS) + "...]";
      }
    }
    return b.append(']').toString();
  }

  private static String digest(String text) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
