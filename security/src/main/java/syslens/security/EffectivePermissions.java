package syslens.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A user's (or role's) computed permissions and resource scope, each with the path it came from.
 * {@code scopes} holds the label selectors declared on the way ({@link Scopes}); none means
 * unscoped.
 */
public record EffectivePermissions(List<Origin> grants, List<Origin> denies, boolean requireTotp,
    List<Origin> scopes) {

  /**
   * One permission (or, in {@link #scopes}, one selector) and where it came from, e.g. {@code
   * role team-a > role operator}.
   */
  public record Origin(String permission, String path) {}

  /**
   * Pairs no one may hold together (separation of duties): managing users and deleting audit
   * records would let one person act and erase the trace.
   */
  static final List<String[]> SEPARATION_OF_DUTIES = List.of(
      new String[] {"users:user:manage", "system:audit:delete"},
      new String[] {"users:role:manage", "system:audit:delete"});

  public EffectivePermissions {
    grants = List.copyOf(grants);
    denies = List.copyOf(denies);
    scopes = List.copyOf(scopes);
  }

  public EffectivePermissions(List<Origin> grants, List<Origin> denies, boolean requireTotp) {
    this(grants, denies, requireTotp, List.of());
  }

  /** The effective scope: distinct selectors, or null when unscoped (nothing declares one). */
  public List<String> scope() {
    if (scopes.isEmpty()) {
      return null;
    }
    Set<String> s = new LinkedHashSet<>();
    scopes.forEach(o -> s.add(o.permission()));
    return List.copyOf(s);
  }

  public Set<String> grantSet() {
    Set<String> s = new LinkedHashSet<>();
    grants.forEach(o -> s.add(o.permission()));
    return s;
  }

  public Set<String> denySet() {
    Set<String> s = new LinkedHashSet<>();
    denies.forEach(o -> s.add(o.permission()));
    return s;
  }

  public boolean can(String p) {
    return Permissions.implies(grantSet(), p) && !Permissions.implies(denySet(), p);
  }

  /** Conflicts, each naming the paths involved; empty when the set is consistent. */
  public List<String> conflicts() {
    List<String> out = new ArrayList<>();
    Map<String, Origin> granted = new LinkedHashMap<>();
    grants.forEach(o -> granted.putIfAbsent(o.permission(), o));
    for (Origin d : denies) {
      Origin g = granted.get(d.permission());
      if (g != null) {
        out.add(d.permission() + " is granted via " + g.path() + " and denied via " + d.path());
      }
    }
    for (String[] pair : SEPARATION_OF_DUTIES) {
      if (can(pair[0]) && can(pair[1])) {
        out.add("separation of duties: " + pair[0] + " (via " + origin(pair[0]) + ") and " + pair[1]
            + " (via " + origin(pair[1]) + ") may not be held together");
      }
    }
    return out;
  }

  private String origin(String p) {
    for (Origin o : grants) {
      if (Permissions.implies(o.permission(), p)) {
        return o.path() + " granting " + o.permission();
      }
    }
    return "?";
  }

  /** As JSON-friendly maps for the API. */
  public Map<String, Object> toView() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("grants", grants.stream().map(o -> Map.of("permission", o.permission(), "from", o.path())).toList());
    m.put("denies", denies.stream().map(o -> Map.of("permission", o.permission(), "from", o.path())).toList());
    m.put("requireTotp", requireTotp);
    m.put("conflicts", conflicts());
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("unscoped", scopes.isEmpty());
    scope.put("selectors", scopes.stream().map(o -> Map.of("selector", o.permission(), "from", o.path())).toList());
    m.put("scope", scope);
    return m;
  }
}
