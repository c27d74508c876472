package syslens.report;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.storage.Queryable;

/**
 * Runs {@link Schedule}s: when one is due it computes the report once over what its owner may
 * see, writes a PDF per recipient language and mails each recipient. Recipients whose mail
 * failed are retried after {@code retryDelays} (1 min, 5 min, 15 min, 1 h by default), the
 * others not again; after the last delay the run is given up and the schedule waits for its
 * next run. Every delivery and failure goes to the audit hook.
 */
public final class ReportScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReportScheduler.class);

  /** What happened to a schedule's run: action ("report.scheduled.sent" / ".failed"), schedule, detail. */
  @FunctionalInterface
  public interface Audit {
    void append(String action, Schedule schedule, String detail);
  }

  /** A schedule's state: the run being delivered (or next), attempts so far, recipients still owed. */
  public record Status(Instant due, Instant fire, int attempt, Set<String> pending, String lastError) {}

  private final Reports reports;
  private final Mailer mailer;
  private final Function<String, Queryable> visibleFor;
  private final Clock clock;
  private final List<Duration> retryDelays;
  private final Path font;
  private final Audit audit;
  private final Map<String, Schedule> schedules = new ConcurrentHashMap<>();
  private final Map<String, Status> status = new ConcurrentHashMap<>();
  private ScheduledExecutorService executor;

  private ReportScheduler(Builder b) {
    this.reports = b.reports;
    this.mailer = b.mailer;
    this.visibleFor = b.visibleFor;
    this.clock = b.clock;
    this.retryDelays = List.copyOf(b.retryDelays);
    this.font = b.font;
    this.audit = b.audit;
  }

  /** {@code visibleFor} gives the storage as a schedule's owner may see it. */
  public static Builder builder(Reports reports, Mailer mailer, Function<String, Queryable> visibleFor) {
    return new Builder(reports, mailer, visibleFor);
  }

  /** Adds or replaces a schedule; its first run is the next calendar time after now. */
  public void put(Schedule s) {
    requireNonNull(s, "s");
    schedules.put(s.id(), s);
    Instant fire = s.next(clock.instant());
    status.put(s.id(), new Status(fire, fire, 0, Set.of(), null));
  }

  public boolean remove(String id) {
    status.remove(id);
    return schedules.remove(id) != null;
  }

  public List<Schedule> list() {
    return List.copyOf(schedules.values());
  }

  public Optional<Status> status(String id) {
    return Optional.ofNullable(status.get(id));
  }

  /** Checks every 30 s for due schedules, on its own thread. */
  public synchronized void start() {
    if (executor == null) {
      executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "syslens-report-scheduler");
        t.setDaemon(true);
        return t;
      });
      executor.scheduleWithFixedDelay(this::tick, 30, 30, TimeUnit.SECONDS);
    }
  }

  /** Runs every schedule that is due now (the background thread calls this; tests call it directly). */
  public void tick() {
    Instant now = clock.instant();
    for (Schedule s : schedules.values()) {
      Status st = status.get(s.id());
      if (st != null && !st.due().isAfter(now)) {
        try {
          status.put(s.id(), run(s, st, now));
        } catch (RuntimeException e) {
          log.warn("report schedule {}: {}", s.id(), e.toString());
          status.put(s.id(), failed(s, st, now, new LinkedHashSet<>(addresses(s, st)), e.toString()));
        }
      }
    }
  }

  private static Set<String> addresses(Schedule s, Status st) {
    if (st.attempt() > 0) {
      return st.pending();
    }
    Set<String> all = new LinkedHashSet<>();
    s.recipients().forEach(r -> all.add(r.address()));
    return all;
  }

  private Status run(Schedule s, Status st, Instant now) {
    Set<String> owed = new LinkedHashSet<>(addresses(s, st));
    Instant[] period = s.period(st.fire());
    ReportRequest base = new ReportRequest(s.kinds(), s.scope(), period[0], period[1], "en", s.zone());
    Report report = reports.compute(base, visibleFor.apply(s.owner()));
    Map<String, byte[]> pdfs = new LinkedHashMap<>();
    String lastError = null;
    for (Schedule.Recipient r : s.recipients()) {
      if (!owed.contains(r.address())) {
        continue;
      }
      try {
        byte[] pdf = pdfs.get(r.language());
        if (pdf == null) {
          ReportRequest req = new ReportRequest(base.kinds(), base.scope(), base.start(), base.end(), r.language(),
              base.zone());
          Report localized = new Report(req, report.installation(), report.generatedAt(), report.stepMs(),
              report.sections(), report.nodes());
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          PdfWriter.write(localized, Fonts.locate(font), out);
          pdf = out.toByteArray();
          pdfs.put(r.language(), pdf);
        }
        Messages m = Messages.of(r.language());
        String day = period[0].atZone(s.zone()).toLocalDate() + " – "
            + period[1].minusSeconds(1).atZone(s.zone()).toLocalDate();
        mailer.send(r.address(), m.get("mail.subject|" + m.get("report.title") + "|" + day),
            m.get("mail.body|" + report.installation() + "|" + day + "|" + s.scope().describe()),
            "syslens-report-" + period[0].atZone(s.zone()).toLocalDate() + ".pdf", "application/pdf", pdf);
        owed.remove(r.address());
        audit.append("report.scheduled.sent", s, "to=" + r.address() + " language=" + r.language() + " period="
            + period[0] + "/" + period[1]);
      } catch (Exception e) {
        lastError = r.address() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }
    if (owed.isEmpty()) {
      Instant next = s.next(st.fire());
      while (!next.isAfter(now)) {
        next = s.next(next); // missed runs (server down) are not sent late in bulk
      }
      return new Status(next, next, 0, Set.of(), null);
    }
    return failed(s, st, now, owed, lastError);
  }

  private Status failed(Schedule s, Status st, Instant now, Set<String> owed, String error) {
    int attempt = st.attempt() + 1;
    audit.append("report.scheduled.failed", s, "attempt=" + attempt + " pending=" + owed + " error=" + error);
    if (attempt > retryDelays.size()) {
      log.warn("report schedule {}: giving up the run of {} after {} attempts: {}", s.id(), st.fire(), attempt, error);
      Instant next = s.next(now);
      return new Status(next, next, 0, Set.of(), error);
    }
    return new Status(now.plus(retryDelays.get(attempt - 1)), st.fire(), attempt, Set.copyOf(owed), error);
  }

  @Override
  public synchronized void close() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  public static final class Builder {
    private final Reports reports;
    private final Mailer mailer;
    private final Function<String, Queryable> visibleFor;
    private Clock clock = Clock.systemUTC();
    private List<Duration> retryDelays = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
        Duration.ofHours(1));
    private Path font;
    private Audit audit = (a, s, d) -> { };

    private Builder(Reports reports, Mailer mailer, Function<String, Queryable> visibleFor) {
      this.reports = requireNonNull(reports, "reports");
      this.mailer = requireNonNull(mailer, "mailer");
      this.visibleFor = requireNonNull(visibleFor, "visibleFor");
    }

    public Builder clock(Clock c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    /** Waits before each retry of a failed delivery; after the last the run is given up. */
    public Builder retryDelays(List<Duration> delays) {
      this.retryDelays = new ArrayList<>(delays);
      return this;
    }

    public Builder font(Path p) {
      this.font = p;
      return this;
    }

    public Builder audit(Audit a) {
      this.audit = requireNonNull(a, "audit");
      return this;
    }

    public ReportScheduler build() {
      return new ReportScheduler(this);
    }
  }
}
