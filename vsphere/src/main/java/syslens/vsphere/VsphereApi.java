package syslens.vsphere;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import syslens.storage.Labels;
import syslens.vsphere.client.VimException;
import syslens.vsphere.inventory.Inventory;

/**
 * The {@code /api/v1/vcenters} REST surface, free of any HTTP library: the server's adapter
 * passes the method, the path below the prefix, query parameters and the parsed JSON body, and
 * turns the {@link Response} into HTTP. Passwords are accepted on create/update/test and never
 * returned.
 *
 * <pre>
 * GET    /                 connections with status      POST /          add
 * GET    /tree             vCenter > DC > cluster > host > VM
 * GET    /inventory        flat list: kind, vcenter, datacenter, cluster, esxhost, power, q, offset, limit
 * POST   /test             test settings without saving
 * GET    /{id}             one connection      PUT /{id}   update (password optional)   DELETE /{id}
 * POST   /{id}/collect     run a cycle now
 * </pre>
 */
public final class VsphereApi {
  /** An HTTP-free response: status, and either data or (errorType, error). */
  public record Response(int status, Object data, String errorType, String error) {
    static Response ok(Object data) {
      return new Response(200, data, null, null);
    }

    static Response error(int status, String type, String message) {
      return new Response(status, null, type, message);
    }
  }

  static final int MAX_LIMIT = 1000;
  private static final Set<String> FIELDS = Set.of("name", "url", "user", "password", "pinnedSha256",
      "maxConcurrency", "timeoutSeconds", "perfIntervalSeconds", "inventoryIntervalSeconds", "enabled");

  private final VsphereService service;
  private final SecureRandom random = new SecureRandom();

  public VsphereApi(VsphereService service) {
    this.service = requireNonNull(service, "service");
  }

  /**
   * @param path the path below {@code /api/v1/vcenters}, "" or starting with "/"
   * @param body the parsed JSON object body, or null when there was none
   */
  public Response handle(String method, String path, Map<String, String> params, Map<String, Object> body) {
    return handle(method, path, params, body, null);
  }

  /**
   * Like {@link #handle(String, String, Map, Map)} for a caller limited to the series labels
   * {@code visible} accepts (null: unscoped): connections, the tree and the list show only
   * vCenters, hosts and VMs whose labels ({@code vcenter}, {@code datacenter}, {@code cluster},
   * {@code esxhost}, {@code vm}) are visible, with the parents they hang from; changing
   * connections is refused (403), since a connection serves every team.
   */
  public Response handle(String method, String path, Map<String, String> params, Map<String, Object> body,
      Predicate<Labels> visible) {
    if (visible != null && !method.equals("GET")) {
      return Response.error(403, "forbidden", "vCenter connections serve every team (expected: a user without a "
          + "resource scope to add, change, test, collect or remove them)");
    }
    try {
      String[] seg = BodyFields.segments(path);
      if (seg.length == 0) {
        return switch (method) {
          case "GET" -> Response.ok(list(visible));
          case "POST" -> Response.ok(view(create(requireBody(body))));
          default -> notAllowed(method, "GET, POST");
        };
      }
      if (seg.length == 1 && seg[0].equals("tree")) {
        return method.equals("GET") ? Response.ok(InventoryViews.tree(inventories(visible))) : notAllowed(method, "GET");
      }
      if (seg.length == 1 && seg[0].equals("inventory")) {
        return method.equals("GET") ? Response.ok(inventory(params, visible)) : notAllowed(method, "GET");
      }
      if (seg.length == 1 && seg[0].equals("test")) {
        return method.equals("POST") ? Response.ok(test(requireBody(body))) : notAllowed(method, "POST");
      }
      String id = seg[0];
      if (service.get(id).isEmpty() || !shown(service.get(id).orElseThrow(), visible)) {
        return Response.error(404, "not_found", "vCenter '" + id + "' does not exist (expected: an id from GET /api/v1/vcenters)");
      }
      if (seg.length == 1) {
        return switch (method) {
          case "GET" -> Response.ok(view(service.get(id).orElseThrow()));
          case "PUT" -> Response.ok(view(update(id, requireBody(body))));
          case "DELETE" -> Response.ok(Map.of("deleted", service.delete(id)));
          default -> notAllowed(method, "GET, PUT, DELETE");
        };
      }
      if (seg.length == 2 && seg[1].equals("collect")) {
        return method.equals("POST")
            // Not polled here (several instances): the status its poller left, no cycle run here.
            ? Response.ok(service.runNow(id).or(() -> service.status(id)).map(s -> (Object) s)
                .orElse(Map.of("state", "disabled")))
            : notAllowed(method, "POST");
      }
      return Response.error(404, "not_found", "no vCenter endpoint at " + path
          + " (expected: /, /tree, /inventory, /test, /{id}, /{id}/collect)");
    } catch (IllegalArgumentException e) {
      return Response.error(400, "bad_data", e.getMessage());
    }
  }

  private static Response notAllowed(String method, String allowed) {
    return Response.error(405, "method_not_allowed", "method " + method + " (expected: " + allowed + ")");
  }

  private static Map<String, Object> requireBody(Map<String, Object> body) {
    return BodyFields.requireObject(body, FIELDS);
  }


  private List<Map<String, Object>> list(Predicate<Labels> visible) {
    List<Map<String, Object>> out = new ArrayList<>();
    service.list().stream().filter(s -> shown(s, visible)).forEach(s -> out.add(view(s)));
    return out;
  }

  /** A connection is shown to a scoped caller when the vCenter itself or anything in its inventory is visible. */
  private boolean shown(VCenterSpec s, Predicate<Labels> visible) {
    if (visible == null || visible.test(Labels.of("vcenter", s.name()))) {
      return true;
    }
    return service.allInventories().stream().filter(inv -> inv.vcenter().equals(s.name()))
        .anyMatch(inv -> !scoped(inv, visible).hosts().isEmpty());
  }

  private List<Inventory> inventories(Predicate<Labels> visible) {
    List<Inventory> all = service.allInventories();
    return visible == null ? all : all.stream().map(inv -> scoped(inv, visible))
        .filter(inv -> !inv.hosts().isEmpty()).toList();
  }

  /**
   * What of {@code inv} a scoped caller sees: visible VMs, hosts that are visible or carry a
   * visible VM, and the datacenters and clusters those hang from (datastores and networks of
   * those datacenters).
   */
  static Inventory scoped(Inventory inv, Predicate<Labels> visible) {
    String vc = inv.vcenter();
    List<Inventory.Vm> vms = inv.vms().stream().filter(vm -> visible.test(Labels.fromMap(VsphereNodes.vmLabels(vc, vm))))
        .toList();
    java.util.Set<String> hostsWithVms = new java.util.HashSet<>();
    vms.forEach(vm -> hostsWithVms.add(vm.hostId()));
    List<Inventory.Host> hosts = inv.hosts().stream().filter(h -> hostsWithVms.contains(h.id())
        || visible.test(Labels.fromMap(VsphereNodes.hostLabels(vc, h)))).toList();
    java.util.Set<String> dcs = new java.util.HashSet<>();
    java.util.Set<String> clusters = new java.util.HashSet<>();
    hosts.forEach(h -> {
      dcs.add(h.datacenter());
      clusters.add(h.datacenter() + "\u0000" + h.cluster());
    });
    return new Inventory(vc, inv.collectedAt(), inv.datacenters().stream().filter(d -> dcs.contains(d.name())).toList(),
        inv.clusters().stream().filter(c -> clusters.contains(c.datacenter() + "\u0000" + c.name())).toList(), hosts, vms,
        inv.datastores().stream().filter(d -> dcs.contains(d.datacenter())).toList(),
        inv.networks().stream().filter(n -> dcs.contains(n.datacenter())).toList());
  }

  /** A connection as the API shows it: never the password, sealed or not. */
  private Map<String, Object> view(VCenterSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("name", s.name());
    m.put("url", s.url().toString());
    m.put("user", s.user());
    m.put("pinnedSha256", s.pinnedSha256());
    m.put("maxConcurrency", s.maxConcurrency());
    m.put("timeoutSeconds", s.timeout().toSeconds());
    m.put("perfIntervalSeconds", s.perfInterval().toSeconds());
    m.put("inventoryIntervalSeconds", s.inventoryInterval().toSeconds());
    m.put("enabled", s.enabled());
    m.put("status", service.status(s.id()).orElse(null));
    return m;
  }

  private VCenterSpec create(Map<String, Object> b) {
    String password = BodyFields.str(b, "password", null);
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("password: missing (expected: the vCenter user's password)");
    }
    String id = HexFormat.of().formatHex(bytes(8));
    VCenterSpec spec = spec(id, b, null, service.cipher().seal(password));
    service.save(spec);
    return spec;
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private VCenterSpec update(String id, Map<String, Object> b) {
    VCenterSpec old = service.get(id).orElseThrow();
    String password = BodyFields.str(b, "password", null);
    String sealed = password == null || password.isEmpty() ? old.sealedPassword() : service.cipher().seal(password);
    VCenterSpec spec = spec(id, b, old, sealed);
    service.save(spec);
    return spec;
  }

  private Map<String, Object> test(Map<String, Object> b) {
    String password = BodyFields.str(b, "password", "");
    VCenterSpec spec = spec("test", b, null, "unused");
    Map<String, Object> m = new LinkedHashMap<>();
    try {
      m.put("ok", true);
      m.put("product", service.testConnection(spec, password));
    } catch (VimException e) {
      m.put("ok", false);
      m.put("error", e.getMessage());
    }
    return m;
  }

  private static VCenterSpec spec(String id, Map<String, Object> b, VCenterSpec old, String sealed) {
    String url = BodyFields.str(b, "url", old == null ? null : old.url().toString());
    if (url == null) {
      throw new IllegalArgumentException("url: missing (expected: https://<vcenter>/sdk)");
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("url: '" + url + "' is not a URL (expected: https://<vcenter>/sdk)");
    }
    String name = BodyFields.str(b, "name", old == null ? uri.getHost() : old.name());
    String user = BodyFields.str(b, "user", old == null ? null : old.user());
    if (user == null) {
      throw new IllegalArgumentException("user: missing (expected: a vCenter user name)");
    }
    return new VCenterSpec(id, name == null ? "" : name, uri, user, sealed,
        BodyFields.str(b, "pinnedSha256", old == null ? null : old.pinnedSha256()),
        (int) BodyFields.num(b, "maxConcurrency", old == null ? 50 : old.maxConcurrency()),
        Duration.ofSeconds(BodyFields.num(b, "timeoutSeconds", old == null ? 30 : old.timeout().toSeconds())),
        Duration.ofSeconds(BodyFields.num(b, "perfIntervalSeconds", old == null ? 60 : old.perfInterval().toSeconds())),
        Duration.ofSeconds(BodyFields.num(b, "inventoryIntervalSeconds", old == null ? 300 : old.inventoryInterval().toSeconds())),
        BodyFields.bool(b, "enabled", old == null || old.enabled()));
  }

  private Map<String, Object> inventory(Map<String, String> params, Predicate<Labels> visible) {
    int offset = intParam(params, "offset", 0, 0, Integer.MAX_VALUE);
    int limit = intParam(params, "limit", 100, 1, MAX_LIMIT);
    String kind = params.getOrDefault("kind", "");
    if (!kind.isEmpty() && !kind.equals("vm") && !kind.equals("esxi")) {
      throw new IllegalArgumentException("kind: '" + kind + "' (expected: vm or esxi)");
    }
    InventoryViews.Filter f = new InventoryViews.Filter(kind, params.getOrDefault("vcenter", ""),
        params.getOrDefault("datacenter", ""), params.getOrDefault("cluster", ""),
        params.getOrDefault("esxhost", ""), params.getOrDefault("power", ""), params.getOrDefault("q", ""));
    return InventoryViews.list(inventories(visible), f, offset, limit);
  }

  private static int intParam(Map<String, String> params, String k, int dflt, int min, int max) {
    String v = params.get(k);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the error
    }
    throw new IllegalArgumentException(k + ": '" + v + "' (expected: an integer " + min + ".." + max + ")");
  }
}
