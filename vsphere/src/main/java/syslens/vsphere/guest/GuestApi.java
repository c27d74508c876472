package syslens.vsphere.guest;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import syslens.vsphere.BodyFields;

/**
 * The {@code /api/v1/guest-credentials} REST surface, free of any HTTP library (as
 * {@link syslens.vsphere.VsphereApi}): the server's adapter passes method, path below the prefix,
 * query parameters and the parsed JSON body, turns the {@link Response} into HTTP and appends its
 * {@link Audit} record, if any, to the audit log. Passwords and private keys are accepted and
 * never returned: a set secret shows as {@value #MASK}.
 *
 * <pre>
 * GET    /                      credentials (masked)       POST /   add
 * GET    /status                per-VM status and the cycle summary
 * POST   /collect               run a guest cycle now
 * DELETE /host-keys/{node}      forget a VM's pinned SSH host key
 * GET    /{id}    PUT /{id} (secrets optional: absent or masked keeps them)    DELETE /{id}
 * </pre>
 */
public final class GuestApi {
  public static final String MASK = "********";

  /** What the audit log records for a change: action, target, detail (never a secret). */
  public record Audit(String action, String target, String detail) {}

  /** An HTTP-free response: status, and either data or (errorType, error); audit for changes. */
  public record Response(int status, Object data, String errorType, String error, Audit audit) {
    static Response ok(Object data) {
      return new Response(200, data, null, null, null);
    }

    static Response changed(Object data, Audit audit) {
      return new Response(200, data, null, null, audit);
    }

    static Response error(int status, String type, String message) {
      return new Response(status, null, type, message, null);
    }
  }

  private static final Set<String> FIELDS = Set.of("name", "kind", "vms", "labels", "address", "connectAddress", "port",
      "user", "password", "privateKey", "https", "pinnedSha256", "command", "timeoutSeconds", "enabled");

  private final GuestService service;
  private final SecureRandom random = new SecureRandom();

  public GuestApi(GuestService service) {
    this.service = requireNonNull(service, "service");
  }

  /**
   * @param path the path below {@code /api/v1/guest-credentials}, "" or starting with "/"
   * @param body the parsed JSON object body, or null when there was none
   */
  public Response handle(String method, String path, Map<String, String> params, Map<String, Object> body) {
    try {
      String[] seg = BodyFields.segments(path);
      if (seg.length == 0) {
        return switch (method) {
          case "GET" -> Response.ok(service.list().stream().map(GuestApi::view).toList());
          case "POST" -> {
            GuestCredential c = credential(HexFormat.of().formatHex(bytes(8)), requireBody(body), null);
            service.save(c);
            yield Response.changed(view(c), new Audit("guest.credential.create", c.name(), summary(c)));
          }
          default -> notAllowed(method, "GET, POST");
        };
      }
      if (seg.length == 1 && seg[0].equals("status")) {
        if (!method.equals("GET")) {
          return notAllowed(method, "GET");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cycles", service.cycles());
        m.put("vms", service.statuses());
        return Response.ok(m);
      }
      if (seg.length == 1 && seg[0].equals("collect")) {
        return method.equals("POST") ? Response.changed(service.runNow(), new Audit("guest.collect", "all", ""))
            : notAllowed(method, "POST");
      }
      if (seg.length == 2 && seg[0].equals("host-keys")) {
        if (!method.equals("DELETE")) {
          return notAllowed(method, "DELETE");
        }
        String node = java.net.URLDecoder.decode(seg[1], java.nio.charset.StandardCharsets.UTF_8);
        boolean existed = service.forgetHostKey(node);
        return Response.changed(Map.of("forgotten", existed), new Audit("guest.hostkey.forget", node, ""));
      }
      if (seg.length != 1) {
        return Response.error(404, "not_found", "no guest credential endpoint at " + path
            + " (expected: /, /status, /collect, /host-keys/{node}, /{id})");
      }
      String id = seg[0];
      GuestCredential old = service.get(id).orElse(null);
      if (old == null) {
        return Response.error(404, "not_found", "guest credential '" + id
            + "' does not exist (expected: an id from GET /api/v1/guest-credentials)");
      }
      return switch (method) {
        case "GET" -> Response.ok(view(old));
        case "PUT" -> {
          GuestCredential c = credential(id, requireBody(body), old);
          service.save(c);
          yield Response.changed(view(c), new Audit("guest.credential.update", c.name(), "before: " + summary(old)
              + "; after: " + summary(c) + (secretsChanged(old, c) ? "; secret replaced" : "")));
        }
        case "DELETE" -> Response.changed(Map.of("deleted", service.delete(id)),
            new Audit("guest.credential.delete", old.name(), "before: " + summary(old)));
        default -> notAllowed(method, "GET, PUT, DELETE");
      };
    } catch (IllegalArgumentException e) {
      return Response.error(400, "bad_data", e.getMessage());
    }
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static Response notAllowed(String method, String allowed) {
    return Response.error(405, "method_not_allowed", "method " + method + " (expected: " + allowed + ")");
  }

  private static Map<String, Object> requireBody(Map<String, Object> body) {
    return BodyFields.requireObject(body, FIELDS);
  }


  /** A credential as the API shows it: secrets masked, never returned sealed or open. */
  static Map<String, Object> view(GuestCredential c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.id());
    m.put("name", c.name());
    m.put("kind", c.kind().label());
    m.put("vms", c.selector().vmGlob());
    m.put("labels", c.selector().labels());
    m.put("address", c.selector().address());
    m.put("connectAddress", c.connectAddress());
    m.put("port", c.effectivePort());
    m.put("user", c.user());
    m.put("password", c.sealedPassword() == null ? null : MASK);
    m.put("privateKey", c.sealedPrivateKey() == null ? null : MASK);
    m.put("https", c.https());
    m.put("pinnedSha256", c.pinnedSha256());
    m.put("command", c.command());
    m.put("timeoutSeconds", c.timeout().toMillis() / 1000.0);
    m.put("enabled", c.enabled());
    return m;
  }

  /** For the audit log: what a credential covers and how, without its secrets. */
  static String summary(GuestCredential c) {
    return "kind=" + c.kind().label() + " vms=" + c.selector().vmGlob() + " labels=" + c.selector().labels()
        + " address=" + c.selector().address() + " connectAddress=" + c.connectAddress() + " user=" + c.user()
        + (c.command().isEmpty() ? "" : " command=" + c.command()) + " enabled=" + c.enabled();
  }

  private static boolean secretsChanged(GuestCredential a, GuestCredential b) {
    return !java.util.Objects.equals(a.sealedPassword(), b.sealedPassword())
        || !java.util.Objects.equals(a.sealedPrivateKey(), b.sealedPrivateKey());
  }

  private GuestCredential credential(String id, Map<String, Object> b, GuestCredential old) {
    String kindText = str(b, "kind", old == null ? null : old.kind().label());
    if (kindText == null) {
      throw new IllegalArgumentException("kind: missing (expected: ssh, winrm or script)");
    }
    GuestCredential.Kind kind;
    try {
      kind = GuestCredential.Kind.valueOf(kindText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kind: '" + kindText + "' (expected: ssh, winrm or script)");
    }
    String name = str(b, "name", old == null ? null : old.name());
    if (name == null) {
      throw new IllegalArgumentException("name: missing (expected: a name for this credential)");
    }
    Map<String, String> labels = old == null ? Map.of() : old.selector().labels();
    Object l = b.get("labels");
    if (l != null) {
      if (!(l instanceof Map<?, ?> lm) || lm.size() > 16) {
        throw new IllegalArgumentException("labels: not an object of at most 16 strings (expected: {\"cluster\": \"prod\"})");
      }
      Map<String, String> parsed = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : lm.entrySet()) {
        if (!(e.getValue() instanceof String v)) {
          throw new IllegalArgumentException("labels." + e.getKey() + ": not a string (expected: a string)");
        }
        parsed.put(String.valueOf(e.getKey()), v);
      }
      labels = parsed;
    }
    GuestCredential.Selector selector = new GuestCredential.Selector(
        str(b, "vms", old == null ? null : old.selector().vmGlob()), labels,
        str(b, "address", old == null ? null : old.selector().address()));
    List<String> command = old == null ? List.of() : old.command();
    Object cmd = b.get("command");
    if (cmd != null) {
      if (!(cmd instanceof List<?> cl) || cl.size() > 64 || !cl.stream().allMatch(x -> x instanceof String)) {
        throw new IllegalArgumentException("command: not an array of at most 64 strings (expected: [\"/path/to/script\", ...])");
      }
      command = cl.stream().map(String.class::cast).toList();
    }
    long defaultTimeout = kind == GuestCredential.Kind.SCRIPT ? 30 : 15;
    long timeout = num(b, "timeoutSeconds", old == null || old.kind() != kind ? defaultTimeout : old.timeout().toSeconds());
    if (timeout < 1 || timeout > 600) {
      throw new IllegalArgumentException("timeoutSeconds: " + timeout + " (expected: 1..600)");
    }
    return new GuestCredential(id, name, kind, selector, str(b, "connectAddress", old == null ? null : old.connectAddress()),
        (int) num(b, "port", old == null ? 0 : old.port()), str(b, "user", old == null ? null : old.user()),
        secret(b, "password", old == null ? null : old.sealedPassword()),
        secret(b, "privateKey", old == null ? null : old.sealedPrivateKey()),
        bool(b, "https", old == null || old.https()), pin(str(b, "pinnedSha256", old == null ? null : old.pinnedSha256())),
        command, Duration.ofSeconds(timeout), bool(b, "enabled", old == null || old.enabled()));
  }

  private static String pin(String p) {
    return p == null || p.isBlank() ? null : syslens.vsphere.client.VimClientConfig.normalizeFingerprint(p);
  }

  /** A new secret is sealed at once; absent, empty or the mask keeps the stored one. */
  private String secret(Map<String, Object> b, String k, String oldSealed) {
    Object v = b.get(k);
    if (v == null || v.equals("") || v.equals(MASK)) {
      return oldSealed;
    }
    if (!(v instanceof String s) || s.length() > 16_384) {
      throw new IllegalArgumentException(k + ": not a string of at most 16384 characters");
    }
    return service.cipher().seal(s);
  }

  private static String str(Map<String, Object> b, String k, String dflt) {
    String s = BodyFields.str(b, k, dflt);
    return s == null || s.isEmpty() ? null : s;
  }

  private static long num(Map<String, Object> b, String k, long dflt) {
    return BodyFields.num(b, k, dflt);
  }

  private static boolean bool(Map<String, Object> b, String k, boolean dflt) {
    return BodyFields.bool(b, k, dflt);
  }
}
