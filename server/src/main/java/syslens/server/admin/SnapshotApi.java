package syslens.server.admin;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /api/v1/admin/snapshot}: takes a consistent snapshot under {@code
 * <data>/snapshots/} and answers with its name and path (the backup CLI copies it from there).
 * Runs on the blocking executor (checkpoint and H2 backup do disk I/O).
 */
public final class SnapshotApi implements HttpService {
  private final Snapshots snapshots;

  public SnapshotApi(Snapshots snapshots) {
    this.snapshots = requireNonNull(snapshots, "snapshots");
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    if (req.method() != HttpMethod.POST) {
      return json(HttpStatus.METHOD_NOT_ALLOWED, "{\"status\":\"error\",\"errorType\":\"bad_data\","
          + "\"error\":\"method " + req.method() + " (expected: POST)\"}");
    }
    ctx.setRequestTimeoutMillis(30 * 60_000L);
    return HttpResponse.of(CompletableFuture.supplyAsync(() -> {
      try {
        Snapshots.Taken t = snapshots.take();
        String body = AdminCommand.JSON.createObjectNode().put("status", "success").set("data",
            AdminCommand.JSON.createObjectNode().put("name", t.name()).put("path", t.dir().toString())
                .put("files", t.files()).put("bytes", t.bytes())).toString();
        return json(HttpStatus.OK, body);
      } catch (Exception e) {
        String body = AdminCommand.JSON.createObjectNode().put("status", "error")
            .put("errorType", "internal").put("error", "snapshot failed: " + e.getMessage()).toString();
        return json(HttpStatus.INTERNAL_SERVER_ERROR, body);
      }
    }, ctx.blockingTaskExecutor()));
  }

  private static HttpResponse json(HttpStatus status, String body) {
    return HttpResponse.of(status, MediaType.JSON_UTF_8, body);
  }
}
