package syslens.security;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Built-in roles (admin, operator, viewer, auditor) and custom roles with parents. Saving refuses
 * unknown parents, cycles, malformed permissions and conflicting permission sets, naming the
 * conflict, and malformed scope selectors. Custom roles live in the {@code roles} table and are
 * cached (they are few). Built-in roles declare no scope; a team role such as {@code team-a}
 * (parent {@code viewer}, scope {@code {group="team-a"}}) limits its holders to its selectors.
 */
public final class Roles {
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  static final int MAX_PARENTS = 16;
  static final int MAX_PERMISSIONS = 64;
  static final Map<String, Role> BUILTIN = builtins();

  private final DataSource db;
  private final Scopes scopes;
  private volatile Map<String, Role> custom;
  /**
   * Effective permissions already worked out, for the custom roles they were worked out from: every
   * authenticated request asks for its user's, so the role tree is walked once per user and role
   * change instead of once (twice) per request. A save or delete replaces {@link #custom}, which
   * makes the memo start afresh; bounded by {@value #MAX_MEMO} entries.
   */
  private volatile Memo memo = new Memo(Map.of());
  static final int MAX_MEMO = 4096;

  private record MemoKey(String role, Set<String> extraGrants, Set<String> extraDenies, List<String> userScopes) {}

  private record Memo(Map<String, Role> custom, Map<MemoKey, EffectivePermissions> entries) {
    Memo(Map<String, Role> custom) {
      this(custom, new java.util.concurrent.ConcurrentHashMap<>());
    }
  }

  Roles(DataSource db, Scopes scopes) {
    this.db = requireNonNull(db, "db");
    this.scopes = requireNonNull(scopes, "scopes");
    this.custom = load();
  }

  private static Map<String, Role> builtins() {
    Map<String, Role> m = new LinkedHashMap<>();
    m.put("admin", new Role("admin", List.of(), Set.of("*:*:*"), Set.of("system:audit:delete"), false, true));
    m.put("operator", new Role("operator", List.of("viewer"),
        Set.of("monitoring:*:*", "alerts:*:*", "system:node:write"), Set.of(), false, true));
    m.put("viewer", new Role("viewer", List.of(), Set.of("monitoring:*:read", "alerts:*:read",
        "system:node:read"), Set.of(), false, true));
    m.put("auditor", new Role("auditor", List.of(), Set.of("system:audit:read", "monitoring:*:read",
        "system:node:read"), Set.of(), false, true));
    return Map.copyOf(m);
  }

  public List<Role> all() {
    List<Role> out = new ArrayList<>(BUILTIN.values());
    out.addAll(custom.values());
    out.sort(java.util.Comparator.comparing(Role::name));
    return out;
  }

  public Optional<Role> get(String name) {
    Role r = BUILTIN.get(name);
    return r != null ? Optional.of(r) : Optional.ofNullable(custom.get(name));
  }

  /** Effective permissions of a role plus a user's extras; throws when a role is unknown or a cycle. */
  /**
   * Changes whenever any role definition changes (compared by identity): what a principal built
   * from the roles as they were may be kept for.
   */
  Object generation() {
    return custom;
  }

  public EffectivePermissions effective(String role, Set<String> extraGrants, Set<String> extraDenies) {
    return effective(role, extraGrants, extraDenies, List.of());
  }

  /** Like {@link #effective(String, Set, Set)}, with the scope selectors declared on the user. */
  public EffectivePermissions effective(String role, Set<String> extraGrants, Set<String> extraDenies,
      List<String> userScopes) {
    Map<String, Role> c = custom;
    Memo m = memo;
    if (m.custom() != c) {
      m = new Memo(c);
      memo = m;
    }
    MemoKey k = new MemoKey(role, Set.copyOf(extraGrants), Set.copyOf(extraDenies), List.copyOf(userScopes));
    EffectivePermissions e = m.entries().get(k);
    if (e == null) {
      e = effective(role, extraGrants, extraDenies, userScopes, name -> get(name, c));
      if (m.entries().size() >= MAX_MEMO) {
        m.entries().clear();
      }
      m.entries().put(k, e);
    }
    return e;
  }

  private static Optional<Role> get(String name, Map<String, Role> custom) {
    Role r = BUILTIN.get(name);
    return r != null ? Optional.of(r) : Optional.ofNullable(custom.get(name));
  }

  private static EffectivePermissions effective(String role, Set<String> extraGrants, Set<String> extraDenies,
      List<String> userScopes, java.util.function.Function<String, Optional<Role>> lookup) {
    List<EffectivePermissions.Origin> grants = new ArrayList<>();
    List<EffectivePermissions.Origin> denies = new ArrayList<>();
    List<EffectivePermissions.Origin> scopes = new ArrayList<>();
    boolean[] totp = {false};
    walk(role, "role " + role, new LinkedHashSet<>(), lookup, grants, denies, scopes, totp);
    extraGrants.forEach(p -> grants.add(new EffectivePermissions.Origin(p, "user extra grant")));
    extraDenies.forEach(p -> denies.add(new EffectivePermissions.Origin(p, "user extra denial")));
    userScopes.forEach(s -> scopes.add(new EffectivePermissions.Origin(s, "user scope")));
    return new EffectivePermissions(grants, denies, totp[0], scopes);
  }

  private static void walk(String name, String path, Set<String> onPath,
      java.util.function.Function<String, Optional<Role>> lookup, List<EffectivePermissions.Origin> grants,
      List<EffectivePermissions.Origin> denies, List<EffectivePermissions.Origin> scopes, boolean[] totp) {
    if (!onPath.add(name)) {
      throw new IllegalArgumentException("roles: cycle " + String.join(" > ", onPath) + " > " + name
          + " (expected: parents that do not lead back to the role)");
    }
    Role r = lookup.apply(name).orElseThrow(() -> new IllegalArgumentException("role: \"" + name
        + "\" unknown (expected: one of the defined roles)"));
    totp[0] |= r.requireTotp();
    r.grants().stream().sorted().forEach(p -> grants.add(new EffectivePermissions.Origin(p, path)));
    r.denies().stream().sorted().forEach(p -> denies.add(new EffectivePermissions.Origin(p, path)));
    r.scopes().forEach(s -> scopes.add(new EffectivePermissions.Origin(s, path)));
    for (String parent : r.parents()) {
      walk(parent, path + " > role " + parent, onPath, lookup, grants, denies, scopes, totp);
    }
    onPath.remove(name);
  }

  /** Checks a role as it would be saved; returns the problems (empty when it may be saved). */
  public List<String> check(Role role) {
    List<String> problems = new ArrayList<>();
    if (!NAME.matcher(role.name()).matches()) {
      problems.add("name: \"" + role.name() + "\" (expected: [a-z][a-z0-9_-]{0,63})");
      return problems;
    }
    if (BUILTIN.containsKey(role.name())) {
      problems.add("name: \"" + role.name() + "\" is a built-in role (expected: another name)");
      return problems;
    }
    if (role.parents().size() > MAX_PARENTS || role.grants().size() + role.denies().size() > MAX_PERMISSIONS) {
      problems.add("role: too many parents or permissions (expected: <= " + MAX_PARENTS + " parents, <= "
          + MAX_PERMISSIONS + " permissions)");
      return problems;
    }
    for (String p : role.grants()) {
      String bad = Permissions.problem(p);
      if (bad != null) {
        problems.add(bad);
      }
    }
    for (String p : role.denies()) {
      String bad = Permissions.problem(p);
      if (bad != null) {
        problems.add(bad);
      }
    }
    try {
      scopes.check(role.scopes());
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    if (!problems.isEmpty()) {
      return problems;
    }
    Map<String, Role> next = new LinkedHashMap<>(custom);
    next.put(role.name(), role);
    java.util.function.Function<String, Optional<Role>> lookup = n -> BUILTIN.containsKey(n)
        ? Optional.of(BUILTIN.get(n)) : Optional.ofNullable(next.get(n));
    try {
      // The role itself and every role that inherits from it must stay consistent.
      for (String n : next.keySet()) {
        EffectivePermissions e = effective(n, Set.of(), Set.of(), List.of(), lookup);
        if (n.equals(role.name()) || inherits(n, role.name(), lookup)) {
          e.conflicts().forEach(c -> problems.add("role " + n + ": " + c));
        }
      }
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    return problems;
  }

  private static boolean inherits(String n, String ancestor, java.util.function.Function<String, Optional<Role>> lookup) {
    Role r = lookup.apply(n).orElse(null);
    if (r == null) {
      return false;
    }
    for (String p : r.parents()) {
      if (p.equals(ancestor) || inherits(p, ancestor, lookup)) {
        return true;
      }
    }
    return false;
  }

  /** Saves a custom role after {@link #check}; throws IllegalArgumentException naming the problems. */
  public synchronized void save(Role role) {
    List<String> problems = check(role);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    try (Connection c = db.getConnection()) {
      try (PreparedStatement d = c.prepareStatement("DELETE FROM roles WHERE name = ?")) {
        d.setString(1, role.name());
        d.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO roles (name, parents, grants, denies, require_totp, scopes) VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, role.name());
        ps.setString(2, String.join(" ", role.parents()));
        ps.setString(3, String.join(" ", new java.util.TreeSet<>(role.grants())));
        ps.setString(4, String.join(" ", new java.util.TreeSet<>(role.denies())));
        ps.setBoolean(5, role.requireTotp());
        ps.setString(6, Scopes.join(scopes.check(role.scopes())));
        ps.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("saving role " + role.name() + " failed", e);
    }
    custom = load();
  }

  /** Deletes a custom role no other role inherits from; false when it did not exist. */
  public synchronized boolean delete(String name) {
    if (BUILTIN.containsKey(name)) {
      throw new IllegalArgumentException("role: \"" + name + "\" is built in (expected: a custom role)");
    }
    for (Role r : custom.values()) {
      if (r.parents().contains(name)) {
        throw new IllegalArgumentException("role: \"" + name + "\" is a parent of " + r.name()
            + " (expected: a role no other role inherits from)");
      }
    }
    try (Connection c = db.getConnection();
        PreparedStatement d = c.prepareStatement("DELETE FROM roles WHERE name = ?")) {
      d.setString(1, name);
      boolean gone = d.executeUpdate() > 0;
      custom = load();
      return gone;
    } catch (SQLException e) {
      throw new IllegalStateException("deleting role " + name + " failed", e);
    }
  }

  private Map<String, Role> load() {
    Map<String, Role> m = new LinkedHashMap<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name, parents, grants, denies, require_totp, scopes FROM roles");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        m.put(rs.getString(1), new Role(rs.getString(1), split(rs.getString(2)), new HashSet<>(split(rs.getString(3))),
            new HashSet<>(split(rs.getString(4))), rs.getBoolean(5), false, Scopes.split(rs.getString(6))));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading roles failed", e);
    }
    return Map.copyOf(m);
  }

  static List<String> split(String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
  }
}
