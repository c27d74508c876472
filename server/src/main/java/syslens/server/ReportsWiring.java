package syslens.server;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.file.HttpFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import syslens.alerting.rules.StateStore;
import syslens.query.Engine;
import syslens.report.AlertHistory;
import syslens.report.Allocations;
import syslens.report.ReportApi;
import syslens.report.ReportService;
import syslens.report.Reports;
import syslens.security.Principal;
import syslens.security.Security;
import syslens.server.api.ApiErrors;
import syslens.server.auth.AuthDecorator;
import syslens.server.auth.RequestScope;
import syslens.storage.Queryable;
import syslens.vsphere.VsphereService;
import syslens.vsphere.inventory.Inventory;

/**
 * Reports in the composition root: computed over the requester's scoped view of storage by a
 * query engine with the server's limits (and a longer deadline: a year of a large fleet takes
 * time), stored under {@code <data>/reports}, VMs' vCPUs and memory from the vSphere inventory,
 * the alert summary from the alerting module's state history.
 * Every run is audited.
 */
final class ReportsWiring {
  /** How long a report may compute. */
  static final Duration DEADLINE = Duration.ofMinutes(5);
  private final ReportApi api;

  ReportsWiring(Path dataDir, Clock clock, java.util.function.Function<Queryable, Engine> engines,
      VsphereService vsphere, StateStore alerts) throws IOException {
    Reports reports = Reports.builder(engines).clock(clock).allocations(new VmAllocations(vsphere, clock))
        .alertHistory(alertHistory(alerts)).installation(installation()).build();
    this.api = new ReportApi(ReportService.builder(reports, dataDir.resolve("reports")).clock(clock).build(), clock);
  }

  /** The alert summary's view of the alerting module's state history (newest first there, oldest first here). */
  static AlertHistory alertHistory(StateStore store) {
    return (start, end, limit) -> {
      List<StateStore.Transition> ts = store.history(new StateStore.HistoryQuery(null, null, null, start, end, limit));
      List<AlertHistory.Change> out = new ArrayList<>(ts.size());
      for (int i = ts.size() - 1; i >= 0; i--) {
        StateStore.Transition t = ts.get(i);
        out.add(new AlertHistory.Change(t.atMs(), t.rule(), t.level(), t.from(), t.to(), t.labels()));
      }
      return out;
    };
  }

  private static String installation() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "SysLens";
    }
  }

  void routes(ServerBuilder sb, Security security, AuthDecorator auth, RequestScope scopes, Queryable storage) {
    HttpService svc = (ctx, req) -> {
      ctx.setMaxRequestLength(ReportApi.MAX_BODY);
      ctx.setRequestTimeout(DEADLINE.plusSeconds(30));
      Principal who = ctx.attr(AuthDecorator.PRINCIPAL);
      String actor = who == null ? "unknown" : who.username();
      Queryable visible = scopes.queryable(ctx, storage);
      String source = ctx.clientAddress().getHostAddress();
      String method = req.method().name();
      String path = ctx.path();
      return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
        ReportApi.Response r = api.handle(method, path, agg.contentUtf8(), actor, visible);
        if (r.audit() != null) {
          security.audit().append(actor, r.audit().action(), r.audit().target(), source, r.audit().detail());
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
      }, ctx.blockingTaskExecutor()));
    };
    HttpService decorated = svc.decorate(auth);
    sb.service(ReportApi.BASE, decorated);
    sb.service(ReportApi.BASE + "/{id}", decorated);
    sb.service(ReportApi.BASE + "/{id}/{what}", decorated);
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
        for (Inventory inv : vsphere.inventories()) {
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
