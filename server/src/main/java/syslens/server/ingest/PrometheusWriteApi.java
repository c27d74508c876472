package syslens.server.ingest;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.util.Exceptions;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import syslens.ingest.IngestPipeline;
import syslens.ingest.ReservedLabels;
import syslens.ingest.SeriesInput;
import syslens.ingest.SessionOptions;
import syslens.ingest.Source;
import syslens.ingest.WriteResult;
import syslens.ingest.prom.FormatException;
import syslens.ingest.prom.RemoteWrite;
import syslens.ingest.prom.TextFormat;
import syslens.security.Principal;
import syslens.server.api.ApiErrors;
import syslens.server.auth.AuthDecorator;
import syslens.storage.LabelRules;

/**
 * The HTTP doors into the ingest pipeline, each authenticated (the writer, an API key or a user,
 * is the source whose series limit applies) and size-limited:
 * <ul>
 *   <li>{@code POST /api/v1/write}: Prometheus remote-write 1.0 (snappy protobuf). 204 when
 *       stored; 400 with a message for a body or labels that cannot be taken, when the writer's
 *       series limit refused samples, or when storage refused samples as out of order, out of
 *       bounds or a different value at an existing timestamp (Prometheus answers 400 for those,
 *       so the sender does not retry them; unlike Prometheus 2.42, which rolls the whole request
 *       back, the request's other samples are stored and counted in the message; an identical
 *       resent sample is not refused);
 *       413 over the size limit; 503 while storage cannot promise durability (Prometheus retries).
 *   <li>{@code POST /api/v1/import/prometheus}: text exposition format with optional millisecond
 *       timestamps and {@code extra_label=name=value} parameters, as VictoriaMetrics' endpoint.
 *       Every line is checked before anything is stored; 400 names the lines.
 * </ul>
 */
public final class PrometheusWriteApi {
  public static final String WRITE_PATH = "/api/v1/write";
  public static final String IMPORT_PATH = "/api/v1/import/prometheus";
  static final int MAX_EXTRA_LABELS = 32;

  private static final SessionOptions WRITE_OPTIONS = SessionOptions.builder()
      .limits(1_000_000, 1_000_000, 20_000_000).build();

  private final IngestPipeline pipeline;
  private final HttpIngestLimits limits;
  private final Clock clock;
  /**
   * Decompressed remote-write bytes being decoded and written at once, in KiB: twice the
   * per-request limit, so a burst of large requests is answered 503 (Prometheus retries) instead
   * of filling the heap.
   */
  private final java.util.concurrent.Semaphore inflightKib;

  public PrometheusWriteApi(IngestPipeline pipeline, HttpIngestLimits limits, Clock clock) {
    this.pipeline = requireNonNull(pipeline, "pipeline");
    this.limits = requireNonNull(limits, "limits");
    this.clock = requireNonNull(clock, "clock");
    this.inflightKib = new java.util.concurrent.Semaphore(2 * (limits.maxDecompressedBytes() / 1024));
  }

  /** Raises the request size limit to the door's own; goes outside authentication. */
  public DecoratingHttpServiceFunction bodyLimit(String path) {
    long max = path.equals(WRITE_PATH) ? limits.maxCompressedBytes() : limits.maxImportBytes();
    return (delegate, ctx, req) -> {
      long declared = req.headers().contentLength();
      if (declared > max) {
        return tooLarge(max); // before reading the body (one without a length is cut at max instead)
      }
      ctx.setMaxRequestLength(max);
      return delegate.serve(ctx, req);
    };
  }

  public HttpService remoteWrite() {
    return (ctx, req) -> body(ctx, req, limits.maxCompressedBytes(), (c, agg) -> {
      byte[] body = agg.content().array();
      int kib;
      try {
        kib = RemoteWrite.decompressedLength(body, limits.maxDecompressedBytes()) / 1024 + 1;
      } catch (FormatException e) {
        return ApiErrors.badData(e.getMessage());
      }
      if (!inflightKib.tryAcquire(kib)) {
        return ApiErrors.error(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "too many large remote-write "
            + "requests at once (expected: retry later)");
      }
      WriteResult r;
      try {
        r = pipeline.write(source(c, Source.REMOTE_WRITE), WRITE_OPTIONS,
            RemoteWrite.decode(body, limits.maxDecompressedBytes()));
      } catch (FormatException e) {
        return ApiErrors.badData(e.getMessage());
      } finally {
        inflightKib.release(kib);
      }
      if (!r.stored()) {
        return failed(r);
      }
      Integer limited = r.refusedByReason().get("limit_exceeded");
      if (limited != null) {
        return ApiErrors.badData(limited + " samples refused: the series limit of this writer is reached "
            + "(expected: fewer series per API key or user; see --max-series-per-node); " + r.accepted()
            + " samples stored");
      }
      int late = 0;
      StringBuilder why = new StringBuilder();
      for (String reason : List.of("out_of_order", "out_of_bounds", "duplicate_timestamp")) {
        Integer n = r.refusedByReason().get(reason);
        if (n != null) {
          late += n;
          why.append(why.isEmpty() ? "" : ", ").append(reason).append(": ").append(n);
        }
      }
      if (late > 0) {
        return ApiErrors.badData("out of order sample: " + late + " samples refused (" + why + "; expected: "
            + "timestamps after each series' newest sample, within the storage's out-of-order window); "
            + r.accepted() + " samples stored");
      }
      return HttpResponse.of(HttpStatus.NO_CONTENT);
    });
  }

  public HttpService importText() {
    return (ctx, req) -> body(ctx, req, limits.maxImportBytes(), (c, agg) -> {
      Map<String, String> extra = new LinkedHashMap<>();
      List<String> params = c.queryParams("extra_label");
      if (params.size() > MAX_EXTRA_LABELS) {
        return ApiErrors.badData("extra_label: " + params.size() + " parameters (expected: <= " + MAX_EXTRA_LABELS + ")");
      }
      for (String p : params) {
        int eq = p.indexOf('=');
        String name = eq < 0 ? p : p.substring(0, eq);
        if (eq <= 0 || !LabelRules.isValidLabelName(name) || ReservedLabels.problem(name) != null) {
          return ApiErrors.badData("extra_label: \"" + abbreviate(p) + "\" (expected: name=value with a name matching "
              + "[a-zA-Z_][a-zA-Z0-9_]* not starting with __)");
        }
        extra.put(name, p.substring(eq + 1));
      }
      SeriesInput in;
      try {
        in = TextFormat.parse(agg.contentUtf8(), clock.millis());
      } catch (FormatException e) {
        return ApiErrors.badData(e.getMessage());
      }
      SessionOptions options = SessionOptions.builder().overrides(extra)
          .limits(Integer.MAX_VALUE, 1, Integer.MAX_VALUE).build();
      WriteResult r = pipeline.write(source(c, Source.IMPORT), options, in);
      if (!r.stored()) {
        return failed(r);
      }
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("accepted", r.accepted());
      data.put("rejected", r.refused());
      data.put("rejectedByReason", r.refusedByReason());
      return ApiErrors.success(data);
    });
  }

  /** Reads the whole body (up to {@code max} bytes), then handles it off the event loop. */
  private static HttpResponse body(ServiceRequestContext ctx, HttpRequest req, long max,
      BiFunction<ServiceRequestContext, AggregatedHttpRequest, HttpResponse> handler) {
    return HttpResponse.of(req.aggregate().handleAsync((agg, err) -> {
      if (err != null) {
        Throwable cause = Exceptions.peel(err);
        if (cause instanceof ContentTooLargeException) {
          return tooLarge(max);
        }
        return HttpResponse.ofFailure(cause);
      }
      return handler.apply(ctx, agg);
    }, ctx.blockingTaskExecutor()));
  }

  private static HttpResponse tooLarge(long max) {
    return ApiErrors.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "bad_data",
        "request body over " + max + " bytes (expected: <= " + max + "; send smaller batches)");
  }

  private static HttpResponse failed(WriteResult r) {
    return r.status() == WriteResult.Status.INVALID ? ApiErrors.badData(r.reason())
        : ApiErrors.error(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", r.reason() + " (retry later)");
  }

  /** The writer whose series limit applies: the API key, else the user. */
  private static Source source(ServiceRequestContext ctx, String kind) {
    Principal p = ctx.attr(AuthDecorator.PRINCIPAL);
    String id = p == null ? "anonymous" : p.apiKeyId() != null ? "apikey:" + p.apiKeyId() : "user:" + p.username();
    return new Source(kind, id);
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}
