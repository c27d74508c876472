package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.HashMap;
import java.util.Map;
import syslens.vsphere.VsphereApi;

/**
 * {@code /api/v1/vcenters/**}: HTTP around the vsphere module's {@link VsphereApi} (bodies of at
 * most 64 KiB, JSON objects only; the work runs on the blocking executor, never the event loop).
 */
public final class VcentersApi implements HttpService {
  public static final String PREFIX = "/api/v1/vcenters";
  static final int MAX_BODY = 64 * 1024;
  private final VsphereApi api;

  public VcentersApi(VsphereApi api) {
    this.api = requireNonNull(api, "api");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    ctx.setMaxRequestLength(MAX_BODY);
    String method = req.method().name();
    String path = ctx.path().substring(Math.min(ctx.path().length(), PREFIX.length()));
    Map<String, String> params = new HashMap<>();
    ctx.queryParams().forEach((k, v) -> params.putIfAbsent(k, v));
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      JsonObjectBody parsed = JsonObjectBody.parse(agg, MAX_BODY, "{\"name\": ..., \"url\": ..., ...}");
      if (parsed.error() != null) {
        return parsed.error();
      }
      Map<String, Object> body = parsed.body();
      VsphereApi.Response r = api.handle(method, path, params, body);
      return r.status() == 200 ? ApiErrors.success(r.data())
          : ApiErrors.error(HttpStatus.valueOf(r.status()), r.errorType(), r.error());
    }, ctx.blockingTaskExecutor()));
  }
}
