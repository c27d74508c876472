package syslens.server;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.file.HttpFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import syslens.alerting.notify.GlobalMail;
import syslens.alerting.notify.Notifier;
import syslens.alerting.rules.StateStore;
import syslens.query.Engine;
import syslens.report.AlertHistory;
import syslens.report.Allocations;
import syslens.report.Mailer;
import syslens.report.ReportApi;
import syslens.report.ReportScheduler;
import syslens.report.ReportService;
import syslens.report.Reports;
import syslens.report.Schedule;
import syslens.report.ScheduleApi;
import syslens.report.SmtpMailer;
import syslens.security.AuditLog;
import syslens.security.Principal;
import syslens.security.Security;
import syslens.server.api.ApiErrors;
import syslens.server.auth.AuthDecorator;
import syslens.server.auth.RequestScope;
import syslens.server.meta.MetaStore;
import syslens.storage.Labels;
import syslens.storage.Queryable;
import syslens.vsphere.VsphereService;
import syslens.vsphere.inventory.Inventory;

/**
 * Reports in the composition root: computed over the requester's scoped view of storage by a
 * query engine with the server's limits (and a longer deadline: a year of a large fleet takes
 * time), stored under {@code <data>/reports}, VMs' vCPUs and memory from the vSphere inventory,
 * the alert summary from the alerting module's state history and the acknowledgements in the
 * audit log. Schedules are kept in the metadata database (V8) and mailed through the alerting
 * configuration's global SMTP settings, linking to {@code global.external_url}. Every run is
 * audited.
 */
final class ReportsWiring implements AutoCloseable {
  /** How long a report may compute. */
  static final Duration DEADLINE = Duration.ofMinutes(5);
  static final String EMAIL_PATH = "/api/v1/me/email";
  static final int QUERY_THREADS = 2;
  private static final int MAX_EMAIL_BODY = 1024;
  private final ReportApi api;
  private final ScheduleApi schedules;
  private final ReportScheduler scheduler;
  private final ReportScheduleStore store;
  private final Security security;
  /** A report's queries: two at a time, apart from the interactive query pool. */
  private final java.util.concurrent.ExecutorService queries;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  ReportsWiring(Path dataDir, Clock clock, java.util.function.Function<Queryable, Engine> engines,
      VsphereService vsphere, StateStore alerts, MetaStore meta, Security security, Notifier notifier,
      RequestScope scopes, Queryable storage) throws IOException {
    this.security = security;
    this.queries = java.util.concurrent.Executors.newFixedThreadPool(QUERY_THREADS, r -> {
      Thread t = new Thread(r, "syslens-report-query");
      t.setDaemon(true);
      return t;
    });
    Reports reports = Reports.builder(engines).clock(clock).allocations(new VmAllocations(vsphere, clock))
        .alertHistory(alertHistory(alerts, security.audit())).installation(installation()).executor(queries).build();
    ReportService service = ReportService.builder(reports, dataDir.resolve("reports")).clock(clock).build();
    this.api = new ReportApi(service, clock);
    this.store = new ReportScheduleStore(meta, clock);
    ReportRecipients people = new ReportRecipients(security, store, scopes, storage);
    this.scheduler = ReportScheduler.builder(service, mailer(notifier), people::visibleFor).clock(clock).store(store)
        .recipients(people).linkBase(() -> notifier.globalMail().map(GlobalMail::externalUrl).orElse(null))
        .audit((action, s, detail) -> security.audit().append(s.owner(), action, s.id(), "scheduler", detail)).build();
    this.schedules = new ScheduleApi(scheduler);
    scheduler.start();
  }

  /** Mails through the alerting configuration's global SMTP settings as they are at send time. */
  static Mailer mailer(Notifier notifier) {
    return (to, subject, text, name, type, bytes) -> {
      GlobalMail g = notifier.globalMail().orElseThrow(() -> new IllegalStateException("no mail server "
          + "configured (expected: global.smtp_smarthost and global.smtp_from in the alerting configuration, "
          + "PUT /api/v1/alerting/config)"));
      new SmtpMailer(g.host(), g.port(), g.from(), g.username(), g.password(), g.requireTls(), Duration.ofSeconds(30))
          .send(to, subject, text, name, type, bytes);
    };
  }

  /**
   * The alert summary's view of the alerting module's state history (newest first there, oldest
   * first here) and of acknowledgements (audited as {@code alert.acknowledged} with the alert's
   * fingerprint).
   */
  static AlertHistory alertHistory(StateStore store, AuditLog audit) {
    return new AlertHistory() {
      @Override
      public List<Change> changes(long start, long end, int limit) {
        List<StateStore.Transition> ts = store.history(new StateStore.HistoryQuery(null, null, null, start, end, limit));
        List<Change> out = new ArrayList<>(ts.size());
        for (int i = ts.size() - 1; i >= 0; i--) {
          StateStore.Transition t = ts.get(i);
          out.add(new Change(t.atMs(), t.rule(), t.level(), t.from(), t.to(), t.labels()));
        }
        return out;
      }

      @Override
      public List<Ack> acks(long start, long end, int limit) {
        List<AuditLog.Entry> es = audit.search(null, "alert.acknowledged", start, end + 1, null, limit);
        List<Ack> out = new ArrayList<>(es.size());
        for (int i = es.size() - 1; i >= 0; i--) {
          if (es.get(i).action().equals("alert.acknowledged")) {
            out.add(new Ack(es.get(i).atMs(), es.get(i).target()));
          }
        }
        return out;
      }

      @Override
      public String fingerprint(Labels labels) {
        return Notifier.fingerprint(labels);
      }
    };
  }

  private static String installation() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "SysLens";
    }
  }

  @Override
  public void close() {
    scheduler.close();
    queries.shutdownNow();
  }

  void routes(ServerBuilder sb, AuthDecorator auth, RequestScope scopes, Queryable storage) {
    HttpService svc = (ctx, req) -> {
      ctx.setMaxRequestLength(ReportApi.MAX_BODY);
      ctx.setRequestTimeout(DEADLINE.plusSeconds(30));
      String actor = actor(ctx);
      Queryable visible = scopes.queryable(ctx, storage);
      String method = req.method().name();
      String path = ctx.path();
      return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> http(ctx, req,
          path.startsWith(ScheduleApi.BASE) ? schedules.handle(method, path, agg.contentUtf8(), actor)
              : api.handle(method, path, agg.contentUtf8(), actor, visible)), ctx.blockingTaskExecutor()));
    };
    HttpService decorated = svc.decorate(auth);
    sb.service(ReportApi.BASE, decorated);
    sb.service(ReportApi.BASE + "/{id}", decorated);
    sb.service(ReportApi.BASE + "/{id}/{what}", decorated);
    sb.service(ScheduleApi.BASE, decorated);
    sb.service(ScheduleApi.BASE + "/{id}", decorated);
    sb.service(ScheduleApi.BASE + "/{id}/{what}", decorated);
    HttpService email = (ctx, req) -> {
      ctx.setMaxRequestLength(MAX_EMAIL_BODY);
      String actor = actor(ctx);
      String method = req.method().name();
      return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> http(ctx, req, email(method, agg.contentUtf8(), actor)),
          ctx.blockingTaskExecutor()));
    };
    sb.service(EMAIL_PATH, email.decorate(auth));
  }

  private static String actor(ServiceRequestContext ctx) {
    Principal who = ctx.attr(AuthDecorator.PRINCIPAL);
    return who == null ? "unknown" : who.username();
  }

  /** GET or PUT {"email": "ann@example.org"} (null removes it): the caller's address for reports. */
  private ReportApi.Response email(String method, String body, String actor) {
    return switch (method) {
      case "GET", "HEAD" -> ok(Map.of("email", store.email(actor).orElse("")), null);
      case "PUT" -> {
        String email;
        try {
          var n = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
          var e = n.path("email");
          if (!n.isObject() || !(e.isTextual() || e.isNull())) {
            yield error(400, "body: " + abbreviate(body) + " (expected: {\"email\": \"ann@example.org\"}, or "
                + "{\"email\": null} to remove it)");
          }
          email = e.isNull() || e.asText().isBlank() ? null : e.asText().trim();
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
          yield error(400, "body: not JSON (expected: {\"email\": \"ann@example.org\"})");
        }
        if (email != null && !Schedule.Recipient.isAddress(email)) {
          yield error(400, "email: \"" + abbreviate(email) + "\" (expected: an address such as ann@example.org)");
        }
        store.setEmail(actor, email);
        yield ok(Map.of("email", email == null ? "" : email), new ReportApi.Audit("user.email", actor,
            email == null ? "removed" : "set"));
      }
      default -> new ReportApi.Response(405, null, "bad_data", "method " + method + " (expected: GET, PUT)", null, null,
          null, null);
    };
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  private static ReportApi.Response ok(Object data, ReportApi.Audit audit) {
    return new ReportApi.Response(200, data, null, null, audit, null, null, null);
  }

  private static ReportApi.Response error(int status, String message) {
    return new ReportApi.Response(status, null, "bad_data", message, null, null, null, null);
  }

  /** A module response as HTTP: its audit record appended, a file served, JSON in the API's envelope. */
  private HttpResponse http(ServiceRequestContext ctx, HttpRequest req, ReportApi.Response r) {
    String actor = actor(ctx);
    if (r.audit() != null) {
      security.audit().append(actor, r.audit().action(), r.audit().target(), ctx.clientAddress().getHostAddress(),
          r.audit().detail());
    }
    if (r.file() != null) {
      if (!Files.isReadable(r.file())) {
        return ApiErrors.error(HttpStatus.NOT_FOUND, "not_found", "report file " + r.file().getFileName()
            + " is gone (expected: a report inside the retention period)");
      }
      var b = HttpFile.builder(r.file()).contentType(MediaType.parse(r.contentType()));
      if (r.fileName() != null) {
        b.setHeader(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + r.fileName() + "\"");
      }
      try {
        return b.build().asService().serve(ctx, req);
      } catch (Exception e) {
        return ApiErrors.error(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "report file: " + e);
      }
    }
    if (r.status() == 200) {
      return ApiErrors.success(r.data());
    }
    if (r.status() == 201) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", "success");
      body.put("data", r.data());
      return HttpResponse.ofJson(HttpStatus.CREATED, body);
    }
    return ApiErrors.error(HttpStatus.valueOf(r.status()), r.errorType(), r.error());
  }

  /**
   * VMs' and hosts' vCPUs (cores) and memory from the vSphere inventory, keyed by node id as the
   * vsphere module names nodes ({@code vm:<vcenter>:<instance uuid>}, {@code esxi:<vcenter>:<moref>}).
   */
  static final class VmAllocations implements Allocations {
    private final VsphereService vsphere;
    private final Clock clock;
    private volatile Map<String, Allocation> cache = Map.of();
    private volatile long loadedAt = Long.MIN_VALUE;

    VmAllocations(VsphereService vsphere, Clock clock) {
      this.vsphere = vsphere;
      this.clock = clock;
    }

    @Override
    public Optional<Allocation> find(String node) {
      long now = clock.millis();
      if (now - loadedAt > 60_000) {
        Map<String, Allocation> m = new HashMap<>();
        for (Inventory inv : vsphere.allInventories()) {
          for (Inventory.Vm vm : inv.vms()) {
            m.put("vm:" + inv.vcenter() + ":" + (vm.instanceUuid().isEmpty() ? vm.id() : vm.instanceUuid()),
                new Allocation(vm.vcpus(), vm.memoryBytes()));
          }
          for (Inventory.Host h : inv.hosts()) {
            m.put("esxi:" + inv.vcenter() + ":" + h.id(), new Allocation(h.cpuCores(), h.memoryBytes()));
          }
        }
        cache = m;
        loadedAt = now;
      }
      return Optional.ofNullable(cache.get(node));
    }
  }
}
