package syslens.server.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.ExchangeType;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.RoutingContext;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Answers that leave the server in one write: headers and body in one system call.
 *
 * <p>Two things in Armeria split a small answer into two writes (two TCP segments, each waking
 * the client; on a loaded 2-core machine the first wake-up can take the core from the event loop
 * before it writes the body, so the client waits for a second scheduling turn):
 * <ul>
 *   <li>A plain {@link HttpService}'s response is streamed (its default exchange type is
 *       bidirectional streaming): the headers are written and flushed, and only once that write
 *       has completed is the body asked for and written. {@link #of} declares the response
 *       non-streaming ({@link ExchangeType#REQUEST_STREAMING}: the request is read as before), so
 *       Armeria waits for the whole response and writes headers and body in one go.
 *   <li>Its HTTP/1 encoder still flushes after the headers and again after the body; Netty's
 *       {@link FlushConsolidationHandler} at the head of each connection merges those flushes only
 *       while a read is in progress (a query answered on the event loop that read it), not for an
 *       answer completed later (on a query thread, after authentication on the blocking executor,
 *       the first request of a connection). {@link #consolidateFlushes} makes it merge them there
 *       too: the flush runs once the event loop's current task is done, after the body is written.
 * </ul>
 * Only for answers that are built whole anyway (the Prometheus API's JSON): a streamed or endless
 * response must not use {@link #of}.
 */
public final class OneWrite implements HttpService {
  private final HttpService delegate;

  private OneWrite(HttpService delegate) {
    this.delegate = requireNonNull(delegate, "delegate");
  }

  /** {@code service}, its response written whole (headers and body together). */
  public static HttpService of(HttpService service) {
    return new OneWrite(service);
  }

  /**
   * For {@code ServerBuilder.childChannelPipelineCustomizer}: the connection's flush consolidation
   * also merges the flushes made outside a read (Armeria's own handler merges them only during one).
   */
  public static void consolidateFlushes(ChannelPipeline p) {
    FlushConsolidationHandler merging = new FlushConsolidationHandler(
        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
    if (p.get(FlushConsolidationHandler.class) != null) {
      p.replace(FlushConsolidationHandler.class, null, merging);
    } else {
      p.addFirst(merging);
    }
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
    return delegate.serve(ctx, req);
  }

  @Override
  public ExchangeType exchangeType(RoutingContext routingContext) {
    return ExchangeType.REQUEST_STREAMING;
  }
}
