package syslens.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import syslens.query.QueryException;

/**
 * Which queries {@link PromRequests#handleQuery} evaluates on the calling (event-loop) thread, and
 * that the others, and inline runs that hit a limit, go to the real query threads.
 */
class InlineQueriesTest {
  private final QueryExecutor executor = QueryExecutor.create(QueryLimits.defaults());

  @AfterEach
  void close() {
    executor.close();
  }

  /** One evaluation as the handler saw it: inline or not, and on which thread. */
  record Call(boolean inline, String thread) {}

  private static ServiceRequestContext ctx(String query) {
    return ServiceRequestContext.of(HttpRequest.of(HttpMethod.GET,
        "/api/v1/query?" + QueryParams.of("query", query).toQueryString()));
  }

  private static AggregatedHttpResponse answer(HttpResponse r) throws Exception {
    return r.aggregate().get(10, TimeUnit.SECONDS);
  }

  private AggregatedHttpResponse serve(InlineQueries inline, String query, List<Call> calls,
      PromRequests.QueryHandler work) throws Exception {
    ServiceRequestContext ctx = ctx(query);
    return answer(PromRequests.handleQuery(ctx, ctx.request(), executor, inline, (p, small) -> {
      calls.add(new Call(small, Thread.currentThread().getName()));
      return work.apply(p, small);
    }));
  }

  @Test
  void shape_masksEqualityValuesOnly() {
    assertThat(InlineQueries.shape("up{instance=\"host-1\",job!='node'}")).isEqualTo("up{instance=\"\",job!=''}");
    assertThat(InlineQueries.shape("rate(x{instance = \"a\\\"b\"}[5m])")).isEqualTo("rate(x{instance = \"\"}[5m])");
    assertThat(InlineQueries.shape("x{device=~\"e.*|lo\",i!~`a`}")).isEqualTo("x{device=~\"e.*|lo\",i!~`a`}");
    assertThat(InlineQueries.shape("label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")"))
        .isEqualTo("label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")");
    assertThat(InlineQueries.shape("up{a=\"unterminated")).isEqualTo("up{a=\"\"");
    assertThat(InlineQueries.shape("up{a=\"1\"}")).isEqualTo(InlineQueries.shape("up{a=\"2\"}"));
  }

  @Test
  void handleQuery_cheapShape_runsInlineAfterOneRunOnTheQueryThreads() throws Exception {
    InlineQueries inline = InlineQueries.create(Duration.ofMillis(50), Duration.ofSeconds(1));
    List<Call> calls = new ArrayList<>();
    for (String host : List.of("a", "b", "c")) {
      AggregatedHttpResponse r = serve(inline, "up{instance=\"" + host + "\"}", calls, (p, small) -> "ok");
      assertThat(r.contentUtf8()).isEqualTo("{\"status\":\"success\",\"data\":\"ok\"}");
    }
    assertThat(calls.get(0).inline()).isFalse();
    assertThat(calls.get(0).thread()).startsWith("syslens-query-");
    String self = Thread.currentThread().getName();
    assertThat(calls.subList(1, 3)).containsExactly(new Call(true, self), new Call(true, self));
    // A regex is part of the shape: a new one starts on the query threads again.
    serve(inline, "up{instance=~\"a.*\"}", calls, (p, small) -> "ok");
    assertThat(calls.get(3).inline()).isFalse();
  }

  @Test
  void handleQuery_expensiveShape_staysOnTheQueryThreads() throws Exception {
    InlineQueries inline = InlineQueries.create(Duration.ofNanos(1), Duration.ofSeconds(1));
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      serve(inline, "sum(rate(x[5m]))", calls, (p, small) -> burnCpu(Duration.ofMillis(2)));
    }
    assertThat(calls).allSatisfy(c -> assertThat(c.thread()).startsWith("syslens-query-"));
    assertThat(calls).extracting(Call::inline).containsOnly(false);
  }

  @Test
  void handleQuery_inlineRunHitsALimit_evaluatedAgainOnTheQueryThreadsAndDemoted() throws Exception {
    InlineQueries inline = InlineQueries.create(Duration.ofMillis(50), Duration.ofSeconds(1));
    List<Call> calls = new ArrayList<>();
    PromRequests.QueryHandler limited = (p, small) -> {
      if (small) {
        throw new QueryException(QueryException.Kind.TIMEOUT, "query timed out in expression evaluation");
      }
      return "full";
    };
    serve(inline, "up", calls, limited);
    AggregatedHttpResponse r = serve(inline, "up", calls, limited);
    assertThat(r.contentUtf8()).contains("\"data\":\"full\"");
    assertThat(calls).extracting(Call::inline).containsExactly(false, true, false);
    assertThat(inline.inline(inline.shapeOf("up"))).isTrue(); // the executor run was cheap again
    inline.demote(inline.shapeOf("up"));
    assertThat(inline.inline(inline.shapeOf("up"))).isFalse();
  }

  @Test
  void handleQuery_badDataInline_answeredAt400WithoutTheQueryThreads() throws Exception {
    InlineQueries inline = InlineQueries.create(Duration.ofMillis(50), Duration.ofSeconds(1));
    List<Call> calls = new ArrayList<>();
    PromRequests.QueryHandler bad = (p, small) -> {
      throw new QueryException(QueryException.Kind.BAD_DATA, "invalid parameter \"query\": 1:4: parse error");
    };
    serve(inline, "up{", calls, bad);
    AggregatedHttpResponse r = serve(inline, "up{", calls, bad);
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(r.contentUtf8()).contains("bad_data").contains("parse error");
    assertThat(calls).extracting(Call::inline).containsExactly(false, true);
  }

  @Test
  void off_neverInline() throws Exception {
    InlineQueries inline = InlineQueries.off();
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      serve(inline, "up", calls, (p, small) -> "ok");
    }
    assertThat(calls).extracting(Call::inline).containsOnly(false);
    assertThat(inline.shapeOf("up")).isNull();
  }

  @Test
  void create_badArguments_namedWithWhatWasExpected() {
    assertThatThrownBy(() -> InlineQueries.create(Duration.ofMillis(-1), Duration.ofMillis(10)))
        .hasMessage("budget: PT-0.001S (expected: >= 0)");
    assertThatThrownBy(() -> InlineQueries.create(Duration.ofMillis(1), Duration.ZERO))
        .hasMessage("deadline: PT0S (expected: > 0)");
  }

  @Test
  void shapes_boundedInNumber() {
    InlineQueries inline = InlineQueries.create(Duration.ofSeconds(1), Duration.ofSeconds(1));
    for (int i = 0; i <= InlineQueries.MAX_SHAPES; i++) {
      inline.record("q" + i, inline.cpuNow());
    }
    assertThat(inline.inline("q0")).isFalse();
    assertThat(inline.inline("q" + InlineQueries.MAX_SHAPES)).isTrue();
  }

  private static String burnCpu(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    long x = 0;
    while (System.nanoTime() < end) {
      x++;
    }
    return Long.toString(x);
  }
}
