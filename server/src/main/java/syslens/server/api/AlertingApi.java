package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.alerting.notify.NotifyApi;
import syslens.security.AuditLog;
import syslens.security.Principal;
import syslens.server.auth.AuthDecorator;
import syslens.server.auth.RequestScope;
import syslens.storage.Matcher;
import syslens.storage.ScopedQueryable;

/**
 * Silences, receivers, the notification config, acknowledgements and the delivery log: HTTP
 * around the alerting module's {@link NotifyApi} (bodies of at most 1 MiB, the size of the
 * largest config; work on the blocking executor). Every change is appended to the audit log
 * with the authenticated user as actor. A scoped caller sees alerts and silences inside its
 * scope only, and may create, change or expire only silences whose matchers keep them inside it
 * (403 otherwise).
 */
public final class AlertingApi implements HttpService {
  /** Exact routes; {@code {id}} / {@code {fingerprint}} are path parameters. */
  public static final List<String> ROUTES = List.of("/api/v1/silences", "/api/v1/silences/{id}",
      "/api/v1/receivers", "/api/v1/alerting/config", "/api/v1/alerting/alerts",
      "/api/v1/alerts/{fingerprint}/ack", "/api/v1/notifications");
  static final int MAX_BODY = 1024 * 1024;
  private final NotifyApi api;
  private final AuditLog audit;
  private final RequestScope scopes;

  public AlertingApi(NotifyApi api, AuditLog audit, RequestScope scopes) {
    this.api = requireNonNull(api, "api");
    this.audit = requireNonNull(audit, "audit");
    this.scopes = requireNonNull(scopes, "scopes");
  }

  /** The caller's scope as the notification API takes it, or null when unscoped. */
  static NotifyApi.Scope scope(List<List<Matcher>> selectors) {
    if (selectors == null) {
      return null;
    }
    return new NotifyApi.Scope() {
      @Override
      public boolean visible(syslens.storage.Labels labels) {
        return ScopedQueryable.visible(selectors, labels);
      }

      @Override
      public String silenceProblem(List<syslens.alerting.notify.Matcher> matchers) {
        for (List<Matcher> selector : selectors) {
          if (selector.stream().allMatch(m -> covered(m, matchers))) {
            return null;
          }
        }
        return "a silence may reach alerts outside your scope (expected: matchers that include one of your scope's "
            + "selectors " + selectors + ", e.g. the same label with the same value)";
      }
    };
  }

  /**
   * True when a silence's matchers imply scope matcher {@code m}: the same matcher, or an
   * equality on the same label whose value {@code m} accepts.
   */
  private static boolean covered(Matcher m, List<syslens.alerting.notify.Matcher> silence) {
    for (syslens.alerting.notify.Matcher s : silence) {
      if (!s.name().equals(m.name())) {
        continue;
      }
      if (s.type() == syslens.alerting.notify.Matcher.Type.EQ && m.matches(s.value())) {
        return true;
      }
      if (s.value().equals(m.value()) && s.type().name().equals(switch (m.type()) {
        case EQUAL -> "EQ";
        case NOT_EQUAL -> "NEQ";
        case REGEX -> "RE";
        case NOT_REGEX -> "NRE";
      })) {
        return true;
      }
    }
    return false;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    ctx.setMaxRequestLength(MAX_BODY);
    Principal who = ctx.attr(AuthDecorator.PRINCIPAL);
    String actor = who == null ? "unknown" : who.username();
    NotifyApi.Scope scope = scope(scopes.of(who));
    String source = ctx.clientAddress().getHostAddress();
    Map<String, String> params = new HashMap<>();
    ctx.queryParams().forEach((k, v) -> params.putIfAbsent(k, v));
    String method = req.method().name();
    String path = ctx.path();
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      if (agg.content().length() > MAX_BODY) {
        return ApiErrors.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "bad_data", "body: "
            + agg.content().length() + " bytes (expected: <= " + MAX_BODY + ")");
      }
      NotifyApi.Response r = api.handle(method, path, params, agg.contentUtf8(), actor, scope);
      if (r.audit() != null) {
        audit.append(actor, r.audit().action(), r.audit().target(), source, r.audit().detail());
      }
      return r.status() == 200 ? ApiErrors.success(r.data())
          : ApiErrors.error(HttpStatus.valueOf(r.status()), r.errorType(), r.error());
    }, ctx.blockingTaskExecutor()));
  }
}
