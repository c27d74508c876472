package syslens.report;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.report.Schedule.Mailbox;
import syslens.report.Schedule.Recipient;
import syslens.storage.Queryable;

/**
 * Runs {@link Schedule}s: when one is due it computes the report once over what its owner may
 * see, keeps a PDF in the owner's history (readable by the users it was sent to), writes a PDF
 * per recipient language and mails each recipient with a link to the stored report. Recipients
 * whose mail failed are retried after {@code retryDelays} (1 min, 5 min, 15 min, 1 h by
 * default), the others not again; after the last delay the run is given up and the schedule
 * waits for its next run. Schedules are kept in a {@link Store} (the server's database), so a
 * restart keeps them; runs missed while the server was down are not sent late. Every delivery
 * and failure goes to the audit hook.
 */
public final class ReportScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReportScheduler.class);

  /** What happened to a schedule's run: action ("report.scheduled.sent" / ".failed"), schedule, detail. */
  @FunctionalInterface
  public interface Audit {
    void append(String action, Schedule schedule, String detail);
  }

  /** Where schedules are kept. */
  public interface Store {
    List<Schedule> load();

    void save(Schedule s);

    void delete(String id);

    /** Schedules in memory only (tests, embedded use). */
    static Store memory() {
      Map<String, Schedule> m = new ConcurrentHashMap<>();
      return new Store() {
        @Override
        public List<Schedule> load() {
          return List.copyOf(m.values());
        }

        @Override
        public void save(Schedule s) {
          m.put(s.id(), s);
        }

        @Override
        public void delete(String id) {
          m.remove(id);
        }
      };
    }
  }

  /**
   * Turns a recipient into mailboxes: a user into their e-mail and language, a group into its
   * users'. Throws {@link IllegalArgumentException} naming what is wrong (an unknown user, a
   * user without an e-mail address, a group nobody holds).
   */
  @FunctionalInterface
  public interface Recipients {
    List<Mailbox> resolve(Recipient r);

    /** Plain addresses only. */
    Recipients ADDRESSES = r -> {
      if (r.type() != Recipient.Type.ADDRESS) {
        throw new IllegalArgumentException("recipient " + r.value() + ": users and groups are not known here "
            + "(expected: an address)");
      }
      return List.of(new Mailbox(r.value(), r.language() == null ? "en" : r.language(), null));
    };
  }

  /** A schedule's state: the run being delivered (or next), attempts so far, recipients still owed, the stored report. */
  public record Status(Instant due, Instant fire, int attempt, Set<String> pending, String lastError, String reportId) {}

  /** What one run did: the stored report (or null), addresses mailed, failures by address. */
  public record Outcome(String reportId, List<String> sent, Map<String, String> failed) {}

  private final ReportService service;
  private final Mailer mailer;
  private final Function<String, Queryable> visibleFor;
  private final Clock clock;
  private final List<Duration> retryDelays;
  private final Audit audit;
  private final Store store;
  private final Recipients recipients;
  private final Supplier<String> linkBase;
  private final Map<String, Schedule> schedules = new ConcurrentHashMap<>();
  private final Map<String, Status> status = new ConcurrentHashMap<>();
  private ScheduledExecutorService executor;

  private ReportScheduler(Builder b) {
    this.service = b.service;
    this.mailer = b.mailer;
    this.visibleFor = b.visibleFor;
    this.clock = b.clock;
    this.retryDelays = List.copyOf(b.retryDelays);
    this.audit = b.audit;
    this.store = b.store;
    this.recipients = b.recipients;
    this.linkBase = b.linkBase;
    for (Schedule s : store.load()) {
      schedules.put(s.id(), s);
      Instant fire = s.next(clock.instant());
      status.put(s.id(), new Status(fire, fire, 0, Set.of(), null, null));
    }
  }

  /**
   * {@code visibleFor} gives the storage as a schedule's owner may see it (and throws {@link
   * IllegalStateException} when the owner may no longer run reports).
   */
  public static Builder builder(ReportService service, Mailer mailer, Function<String, Queryable> visibleFor) {
    return new Builder(service, mailer, visibleFor);
  }

  /** Stores and adds or replaces a schedule; its next run is the next calendar time after now. */
  public void put(Schedule s) {
    requireNonNull(s, "s");
    store.save(s);
    schedules.put(s.id(), s);
    Instant fire = s.next(clock.instant());
    status.put(s.id(), new Status(fire, fire, 0, Set.of(), null, null));
  }

  public boolean remove(String id) {
    status.remove(id);
    boolean had = schedules.remove(id) != null;
    if (had) {
      store.delete(id);
    }
    return had;
  }

  public List<Schedule> list() {
    return List.copyOf(schedules.values());
  }

  public Optional<Schedule> get(String id) {
    return Optional.ofNullable(schedules.get(id));
  }

  public Optional<Status> status(String id) {
    return Optional.ofNullable(status.get(id));
  }

  /** The mailboxes a schedule's recipients stand for now (users' e-mail and language). */
  List<Mailbox> mailboxes(Schedule s) {
    Map<String, Mailbox> out = new LinkedHashMap<>();
    for (Recipient r : s.recipients()) {
      for (Mailbox m : recipients.resolve(r)) {
        out.putIfAbsent(m.address().toLowerCase(java.util.Locale.ROOT), m);
      }
    }
    return List.copyOf(out.values());
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
        Status next;
        try {
          Outcome o = deliver(s, st.fire(), st.attempt() > 0 ? st.pending() : null, st.reportId());
          next = o.failed().isEmpty() ? done(s, st, now) : failed(s, st, now, o.failed().keySet(),
              String.join("; ", o.failed().values()), o.reportId());
        } catch (RuntimeException | IOException e) {
          log.warn("report schedule {}: {}", s.id(), e.toString());
          next = failed(s, st, now, st.attempt() > 0 ? st.pending() : Set.of("*"), message(e), st.reportId());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (schedules.containsKey(s.id())) {
          status.put(s.id(), next);
        }
      }
    }
  }

  /**
   * Runs {@code id} now over the period that has just ended (as its next calendar run would) and
   * mails every recipient once; failures are returned, not retried.
   */
  public Outcome runNow(String id) throws IOException, InterruptedException {
    Schedule s = schedules.get(id);
    if (s == null) {
      throw new IllegalArgumentException("schedule " + id + " does not exist");
    }
    return deliver(s, clock.instant(), null, null);
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /**
   * Computes the run of {@code s} fired at {@code fire}, stores it (unless {@code reportId} is
   * already stored) and mails the mailboxes whose address is in {@code owed} (all when null).
   */
  private synchronized Outcome deliver(Schedule s, Instant fire, Set<String> owed, String reportId)
      throws IOException, InterruptedException {
    Instant[] period = s.period(fire);
    List<Mailbox> boxes = mailboxes(s);
    ReportRequest base = new ReportRequest(s.kinds(), s.scope(), period[0], period[1], s.language(), s.zone());
    Report report = service.computeQueued(base, visibleFor.apply(s.owner()));
    Path font = service.pdfFont();
    Map<String, byte[]> pdfs = new LinkedHashMap<>();
    if (reportId == null) {
      List<String> readers = boxes.stream().map(Mailbox::user).filter(u -> u != null && !u.equals(s.owner()))
          .distinct().toList();
      reportId = service.store(report, "pdf", font, s.owner(), readers, s.id()).id();
      audit.append("report.scheduled.run", s, "report=" + reportId + " kinds=" + s.kinds() + " scope="
          + s.scope().describe() + " period=" + period[0] + "/" + period[1]);
    }
    String link = link(reportId);
    List<String> sent = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    String day = period[0].atZone(s.zone()).toLocalDate() + " – " + period[1].minusSeconds(1).atZone(s.zone()).toLocalDate();
    for (Mailbox r : boxes) {
      if (owed != null && !owed.contains(r.address()) && !owed.contains("*")) {
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
          PdfWriter.write(localized, font, out);
          pdf = out.toByteArray();
          pdfs.put(r.language(), pdf);
        }
        Messages m = Messages.of(r.language());
        String text = m.get("mail.body|" + report.installation() + "|" + day + "|" + s.scope().describe());
        if (link != null) {
          text += "\n\n" + m.get("mail.link|" + link);
        }
        mailer.send(r.address(), m.get("mail.subject|" + m.get("report.title") + "|" + day), text,
            "syslens-report-" + period[0].atZone(s.zone()).toLocalDate() + ".pdf", "application/pdf", pdf);
        sent.add(r.address());
        audit.append("report.scheduled.sent", s, "to=" + r.address() + " language=" + r.language() + " period="
            + period[0] + "/" + period[1] + " report=" + reportId);
      } catch (Exception e) {
        failed.put(r.address(), r.address() + ": " + message(e));
      }
    }
    return new Outcome(reportId, sent, failed);
  }

  private String link(String reportId) {
    String b = linkBase.get();
    if (b == null || b.isBlank()) {
      return null;
    }
    return (b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/#/reports/" + reportId;
  }

  private Status done(Schedule s, Status st, Instant now) {
    Instant next = s.next(st.fire());
    while (!next.isAfter(now)) {
      next = s.next(next); // missed runs (server down) are not sent late in bulk
    }
    return new Status(next, next, 0, Set.of(), null, null);
  }

  private Status failed(Schedule s, Status st, Instant now, Set<String> owed, String error, String reportId) {
    int attempt = st.attempt() + 1;
    audit.append("report.scheduled.failed", s, "attempt=" + attempt + " pending=" + owed + " error=" + error);
    if (attempt > retryDelays.size()) {
      log.warn("report schedule {}: giving up the run of {} after {} attempts: {}", s.id(), st.fire(), attempt, error);
      Instant next = s.next(now);
      return new Status(next, next, 0, Set.of(), error, null);
    }
    return new Status(now.plus(retryDelays.get(attempt - 1)), st.fire(), attempt, Set.copyOf(owed), error, reportId);
  }

  @Override
  public synchronized void close() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  public static final class Builder {
    private final ReportService service;
    private final Mailer mailer;
    private final Function<String, Queryable> visibleFor;
    private Clock clock = Clock.systemUTC();
    private List<Duration> retryDelays = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
        Duration.ofHours(1));
    private Audit audit = (a, s, d) -> { };
    private Store store = Store.memory();
    private Recipients recipients = Recipients.ADDRESSES;
    private Supplier<String> linkBase = () -> null;

    private Builder(ReportService service, Mailer mailer, Function<String, Queryable> visibleFor) {
      this.service = requireNonNull(service, "service");
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

    public Builder audit(Audit a) {
      this.audit = requireNonNull(a, "audit");
      return this;
    }

    /** Where schedules are kept (default: memory); loaded when built. */
    public Builder store(Store s) {
      this.store = requireNonNull(s, "store");
      return this;
    }

    public Builder recipients(Recipients r) {
      this.recipients = requireNonNull(r, "recipients");
      return this;
    }

    /** The address the dashboard is reached at; mails link to {@code <base>/#/reports/<id>} (none when null). */
    public Builder linkBase(Supplier<String> base) {
      this.linkBase = requireNonNull(base, "linkBase");
      return this;
    }

    public ReportScheduler build() {
      return new ReportScheduler(this);
    }
  }
}
