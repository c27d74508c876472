package syslens.server.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import syslens.security.Role;
import syslens.security.Security;
import syslens.security.User;
import syslens.server.api.ApiErrors;

/**
 * User and role administration (permissions {@code users:user:manage}, {@code users:role:*},
 * checked by {@link AuthDecorator}):
 * <ul>
 *   <li>{@code GET /api/v1/users}, {@code POST /api/v1/users} {@code {"username","password","role",
 *       "language"?,"mustChangePassword"?}}
 *   <li>{@code GET|PATCH|DELETE /api/v1/users/{name}}: PATCH takes any of {@code disabled, role,
 *       extraGrants, extraDenies, scopes, language, password, totp:false} ({@code scopes}: label
 *       selectors declared on the user, see {@code docs/security.md})
 *   <li>{@code POST /api/v1/users/{name}/unlock}, {@code GET /api/v1/users/{name}/permissions}
 *   <li>{@code GET /api/v1/roles}, {@code PUT|DELETE /api/v1/roles/{name}} (body {@code parents,
 *       grants, denies, requireTotp, scopes}),
 *       {@code POST /api/v1/roles/{name}/check} (conflicts before saving)
 * </ul>
 */
public final class UsersApi {
  private final Security security;

  public UsersApi(Security security) {
    this.security = requireNonNull(security, "security");
  }

  public HttpService users() {
    return (ctx, req) -> Http.json(ctx, req, (c, body) -> {
      if (c.method() == HttpMethod.GET) {
        return ApiErrors.success(security.users().list().stream().map(this::view).toList());
      }
      if (c.method() != HttpMethod.POST) {
        return Http.methodNotAllowed(c, "GET or POST");
      }
      JsonNode must = body.path("mustChangePassword");
      User u = security.users().create(Http.text(body, "username", true), Http.text(body, "password", true),
          Optional.ofNullable(Http.text(body, "role", false)).orElse("viewer"), must.isMissingNode() || must.asBoolean(true),
          Http.text(body, "language", false), Http.actor(c));
      return HttpResponse.ofJson(HttpStatus.CREATED, Map.of("status", "success", "data", view(u)));
    });
  }

  public HttpService user() {
    return (ctx, req) -> Http.json(ctx, req, (c, body) -> {
      String name = c.pathParam("name");
      Optional<User> found = security.users().get(name == null ? "" : name);
      if (found.isEmpty()) {
        return Http.notFound("user " + quoted(name) + " not found (expected: an existing user name)");
      }
      User u = found.get();
      String action = c.pathParam("action");
      if (action != null) {
        return action(c, u, action);
      }
      if (c.method() == HttpMethod.GET) {
        return ApiErrors.success(view(u));
      }
      if (c.method() == HttpMethod.DELETE) {
        if (u.username().equals(Http.principal(c).username())) {
          return ApiErrors.badData("user: you cannot delete yourself (expected: another admin does it)");
        }
        security.users().delete(u, Http.actor(c));
        return ApiErrors.success(Map.of("deleted", u.username()));
      }
      if (c.method() != HttpMethod.PATCH) {
        return Http.methodNotAllowed(c, "GET, PATCH or DELETE");
      }
      patch(c, u, body);
      return ApiErrors.success(view(security.users().get(u.username()).orElseThrow()));
    });
  }

  private void patch(ServiceRequestContext c, User u, JsonNode body) {
    if (body.has("disabled")) {
      if (!body.get("disabled").isBoolean()) {
        throw new IllegalArgumentException("disabled: " + body.get("disabled") + " (expected: true or false)");
      }
      if (body.get("disabled").asBoolean() && u.username().equals(Http.principal(c).username())) {
        throw new IllegalArgumentException("disabled: you cannot disable yourself (expected: another admin does it)");
      }
      security.users().setDisabled(u, body.get("disabled").asBoolean(), Http.actor(c));
    }
    if (body.has("role") || body.has("extraGrants") || body.has("extraDenies")) {
      String role = body.has("role") ? Http.text(body, "role", true) : u.role();
      Set<String> grants = body.has("extraGrants") ? Http.strings(body, "extraGrants") : u.extraGrants();
      Set<String> denies = body.has("extraDenies") ? Http.strings(body, "extraDenies") : u.extraDenies();
      security.users().setPermissions(u, role, grants, denies, Http.actor(c));
    }
    if (body.has("scopes")) {
      security.users().setScopes(u, scopes(body), Http.actor(c));
    }
    if (body.has("language")) {
      security.users().setLanguage(u, Http.text(body, "language", true), Http.actor(c));
    }
    if (body.has("password")) {
      security.users().resetPassword(u, Http.text(body, "password", true), Http.actor(c));
    }
    if (body.has("totp")) {
      if (!body.get("totp").isBoolean() || body.get("totp").asBoolean()) {
        throw new IllegalArgumentException("totp: " + body.get("totp") + " (expected: false, to turn it off; "
            + "users turn it on themselves)");
      }
      security.logins().disableTotp(u.id(), Http.principal(c).username(), u.username(), Http.source(c));
    }
  }

  private HttpResponse action(ServiceRequestContext c, User u, String action) {
    switch (action) {
      case "unlock" -> {
        if (c.method() != HttpMethod.POST) {
          return Http.methodNotAllowed(c, "POST");
        }
        security.users().unlock(u, Http.actor(c));
        return ApiErrors.success(Map.of("unlocked", u.username()));
      }
      case "permissions" -> {
        return ApiErrors.success(security.users().effective(u).toView());
      }
      default -> {
        return Http.notFound("no user action " + action + " (expected: unlock or permissions)");
      }
    }
  }

  public HttpService roles() {
    return (ctx, req) -> Http.json(ctx, req, (c, body) -> {
      if (c.method() != HttpMethod.GET) {
        return Http.methodNotAllowed(c, "GET (PUT /api/v1/roles/{name} to save one)");
      }
      List<Map<String, Object>> out = new ArrayList<>();
      for (Role r : security.roles().all()) {
        Map<String, Object> m = roleView(r);
        m.put("effective", security.roles().effective(r.name(), Set.of(), Set.of()).toView());
        out.add(m);
      }
      return ApiErrors.success(out);
    });
  }

  public HttpService role() {
    return (ctx, req) -> Http.json(ctx, req, (c, body) -> {
      String name = c.pathParam("name");
      String action = c.pathParam("action");
      if (c.method() == HttpMethod.GET && action == null) {
        return security.roles().get(name).map(r -> ApiErrors.success(roleView(r)))
            .orElseGet(() -> Http.notFound("role " + quoted(name) + " not found"));
      }
      if (c.method() == HttpMethod.DELETE && action == null) {
        boolean gone = security.roles().delete(name);
        if (gone) {
          security.audit().append(Http.principal(c).username(), "role.deleted", name, Http.source(c), "");
        }
        return gone ? ApiErrors.success(Map.of("deleted", name)) : Http.notFound("role " + quoted(name) + " not found");
      }
      Role r = new Role(name, List.copyOf(Http.strings(body, "parents")), Http.strings(body, "grants"),
          Http.strings(body, "denies"), body.path("requireTotp").asBoolean(false), false, scopes(body));
      if ("check".equals(action) && c.method() == HttpMethod.POST) {
        return ApiErrors.success(Map.of("problems", security.roles().check(r)));
      }
      if (action != null || c.method() != HttpMethod.PUT) {
        return Http.methodNotAllowed(c, "GET, PUT or DELETE /api/v1/roles/{name}, POST /api/v1/roles/{name}/check");
      }
      Optional<Role> before = security.roles().get(name);
      security.roles().save(r);
      security.audit().append(Http.principal(c).username(), "role.saved", name, Http.source(c),
          "before: " + before.map(UsersApi::roleView).orElse(null) + "; after: " + roleView(r));
      return ApiErrors.success(roleView(r));
    });
  }

  private Map<String, Object> view(User u) {
    Map<String, Object> m = new LinkedHashMap<>(u.toView());
    m.put("lockedForUnknownSources", security.users().lockedForUnknownSources(u));
    return m;
  }

  static Map<String, Object> roleView(Role r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    m.put("parents", r.parents());
    m.put("grants", new java.util.TreeSet<>(r.grants()));
    m.put("denies", new java.util.TreeSet<>(r.denies()));
    m.put("requireTotp", r.requireTotp());
    m.put("builtin", r.builtin());
    m.put("scopes", r.scopes());
    return m;
  }

  /** The {@code scopes} array: label selectors, sorted and deduplicated. */
  private static List<String> scopes(JsonNode body) {
    return List.copyOf(new java.util.TreeSet<>(Http.strings(body, "scopes")));
  }

  private static String quoted(String name) {
    String n = name == null ? "" : name;
    return "\"" + (n.length() > 64 ? n.substring(0, 61) + "..." : n) + "\"";
  }
}
