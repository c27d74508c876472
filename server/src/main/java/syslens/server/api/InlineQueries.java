package syslens.server.api;

import static java.util.Objects.requireNonNull;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import syslens.query.parser.QueryShape;

/**
 * Which queries are small enough to evaluate on the event loop that received them, skipping the
 * query executor's two thread hand-offs (event loop to query thread and back), which cost a
 * dashboard panel's one-host query more than its evaluation on a busy machine.
 *
 * <p>A query is evaluated inline only when its <em>shape</em> (the query text with the values of
 * {@code =} and {@code !=} matchers masked, so one panel over another host counts as the same
 * query) was last evaluated in at most {@code budget} of CPU time, wherever it ran. Its inline
 * evaluation runs with a deadline of {@code deadline} (wall time); past it, or past any execution
 * limit, the query falls back to the query executor with the server's limits, and so does the
 * shape until a run on the executor is cheap again. New, large or changed queries therefore
 * always run on the executor first; at most {@value #MAX_SHAPES} shapes are remembered (beyond
 * that the memory starts afresh). Regex matcher values are part of the shape: a different regex
 * can select very different series.
 */
public final class InlineQueries {
  static final int MAX_SHAPES = 1024;
  /** Longest query text considered; the parsed-query cache keeps the same bound. */
  static final int MAX_LENGTH = QueryApi.MAX_PARSED_LENGTH;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long budgetNanos;
  private final Duration deadline;
  private final boolean cpuTime;
  /** Shapes whose last evaluation cost at most the budget. */
  private final Map<String, Boolean> cheap = new ConcurrentHashMap<>();

  private InlineQueries(Duration budget, Duration deadline) {
    this.budgetNanos = budget.toNanos();
    this.deadline = deadline;
    this.cpuTime = THREADS.isCurrentThreadCpuTimeSupported();
  }

  /**
   * {@code budget}: the most CPU time a query's last evaluation may have cost for the next one of
   * its shape to run inline ({@link Duration#ZERO} turns inline evaluation off); {@code deadline}:
   * the wall time an inline evaluation may take before it gives up and falls back.
   */
  public static InlineQueries create(Duration budget, Duration deadline) {
    requireNonNull(budget, "budget");
    requireNonNull(deadline, "deadline");
    if (budget.isNegative()) {
      throw new IllegalArgumentException("budget: " + budget + " (expected: >= 0)");
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline: " + deadline + " (expected: > 0)");
    }
    return new InlineQueries(budget, deadline);
  }

  /** Never inline: every query goes to the executor. */
  public static InlineQueries off() {
    return create(Duration.ZERO, Duration.ofMillis(1));
  }

  /** The wall-time deadline of an inline evaluation. */
  Duration deadline() {
    return deadline;
  }

  /** The shape of {@code query} when inline evaluation may ever apply to it, else null. */
  String shapeOf(String query) {
    if (budgetNanos == 0 || !cpuTime || query == null || query.isEmpty() || query.length() > MAX_LENGTH) {
      return null;
    }
    return shape(query);
  }

  /** True when the shape's last evaluation was within the budget. */
  boolean inline(String shape) {
    return shape != null && cheap.containsKey(shape);
  }

  /** CPU time of the current thread, in nanoseconds (for {@link #record}). */
  long cpuNow() {
    return cpuTime ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  /** Records what an evaluation of the shape cost, measured from {@code cpuStart}. */
  void record(String shape, long cpuStart) {
    if (shape == null) {
      return;
    }
    if (cpuNow() - cpuStart <= budgetNanos) {
      if (cheap.size() >= MAX_SHAPES) {
        cheap.clear();
      }
      cheap.put(shape, Boolean.TRUE);
    } else {
      cheap.remove(shape);
    }
  }

  /** An inline evaluation hit its deadline or a limit: the shape goes back to the executor. */
  void demote(String shape) {
    if (shape != null) {
      cheap.remove(shape);
    }
  }

  /**
   * The query with the string value after each {@code =} or {@code !=} replaced by {@code ""}
   * (regex values, function arguments and everything else kept): {@code up{instance="a"}} and
   * {@code up{instance="b"}} share the shape {@code up{instance=""}} ({@link QueryShape}).
   */
  static String shape(String q) {
    return QueryShape.of(q).text();
  }
}
