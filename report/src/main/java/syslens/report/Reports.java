package syslens.report;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import syslens.query.Engine;
import syslens.storage.Queryable;
import syslens.storage.ScopedQueryable;

/**
 * Computes reports. The caller passes the storage as the requester may see it (the server wraps
 * it in the requester's {@code ScopedQueryable}); the report's own scope is applied on top, so a
 * report never shows more than both allow.
 */
public final class Reports {
  private final Function<Queryable, Engine> engines;
  private final Allocations allocations;
  private final AlertHistory alerts;
  private final String installation;
  private final Clock clock;
  private final java.util.concurrent.Executor executor;

  private Reports(Builder b) {
    this.engines = b.engines;
    this.allocations = b.allocations;
    this.alerts = b.alerts;
    this.installation = b.installation;
    this.clock = b.clock;
    this.executor = b.executor;
  }

  /** {@code engines} builds the query engine (with the server's limits) over a queryable. */
  public static Builder builder(Function<Queryable, Engine> engines) {
    return new Builder(requireNonNull(engines, "engines"));
  }

  /**
   * Computes {@code request} over {@code visible} (what the requester may see).
   *
   * @throws syslens.query.QueryException when a query exceeds the engine's limits
   */
  public Report compute(ReportRequest request, Queryable visible) {
    requireNonNull(request, "request");
    requireNonNull(visible, "visible");
    Queryable q = request.scope().matchers().isEmpty() ? visible
        : ScopedQueryable.of(visible, List.of(request.scope().matchers()));
    long step = Steps.forPeriod(request.endMs() - request.startMs());
    // Align to the step so every point averages a whole step and tiers answer exactly.
    long start = Math.floorDiv(request.startMs(), step) * step;
    long end = Math.max(start + step, Math.floorDiv(request.endMs(), step) * step);
    Data data = new Data(new Fetch(engines.apply(q), start, end, step), executor);
    data.prefetch(request.kinds()); // the figures run side by side on the executor
    List<Report.Section> sections = new ArrayList<>();
    java.util.Set<String> nodes = new java.util.HashSet<>();
    for (Kind k : request.kinds()) {
      switch (k) {
        case UTILIZATION -> sections.addAll(Utilization.compute(data, request.zone()));
        case RIGHTSIZING -> sections.add(RightSizing.compute(data, allocations));
        case AVAILABILITY -> sections.addAll(Availability.compute(data));
        case CAPACITY -> sections.add(Capacity.compute(data, end));
        case ALERTS -> sections.add(AlertSummary.compute(alerts, request,
            visible instanceof ScopedQueryable sq ? sq.scope() : null, step));
      }
    }
    for (Report.Section s : sections) {
      if (!s.columns().get(0).key().equals("col.node") || s.kind() == Kind.CAPACITY || s.kind() == Kind.ALERTS) {
        continue;
      }
      for (List<Object> row : s.rows()) {
        nodes.add((String) row.get(0));
      }
    }
    return new Report(request, installation, clock.instant(), step, sections, nodes.size());
  }

  public static final class Builder {
    private final Function<Queryable, Engine> engines;
    private Allocations allocations = Allocations.NONE;
    private AlertHistory alerts = AlertHistory.NONE;
    private String installation = "SysLens";
    private Clock clock = Clock.systemUTC();
    private java.util.concurrent.Executor executor = Runnable::run;

    private Builder(Function<Queryable, Engine> engines) {
      this.engines = engines;
    }

    /** Where VMs' vCPUs and memory come from (agent nodes' are read from their metrics). */
    public Builder allocations(Allocations a) {
      this.allocations = requireNonNull(a, "allocations");
      return this;
    }

    /** Where the alert summary reads alert state changes. */
    public Builder alertHistory(AlertHistory h) {
      this.alerts = requireNonNull(h, "alertHistory");
      return this;
    }

    /** The installation's name on the cover page. */
    public Builder installation(String name) {
      this.installation = requireNonNull(name, "installation");
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    /**
     * Where a report's queries run (default: the calling thread, one after another). The server
     * passes a small pool of its own, so a report's figures are computed side by side without
     * taking threads from interactive queries.
     */
    public Builder executor(java.util.concurrent.Executor e) {
      this.executor = requireNonNull(e, "executor");
      return this;
    }

    public Reports build() {
      return new Reports(this);
    }
  }
}
