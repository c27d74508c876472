package syslens.vsphere;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.storage.Labels;
import syslens.vsphere.client.PerfCounter;
import syslens.vsphere.client.VimClient;
import syslens.vsphere.client.VimException;
import syslens.vsphere.inventory.Inventory;
import syslens.vsphere.inventory.InventoryReader;
import syslens.vsphere.inventory.InventoryWatch;
import syslens.vsphere.perf.PerfInstances;
import syslens.vsphere.perf.PerfReader;
import syslens.vsphere.perf.PerfTarget;

/**
 * Collects one vCenter: the inventory (refreshed every {@code inventoryInterval}, its VMs and
 * hosts upserted as nodes) and one realtime performance cycle per call of {@link #runCycle()}.
 * Failures end up in the status and in the {@code vsphere_collector_*} series, never in an
 * exception that would stop the schedule. Not re-entrant: the scheduler never overlaps cycles.
 */
final class VCenterCollector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VCenterCollector.class);
  static final String MAX_QUERY_METRICS = "config.vpxd.stats.maxQueryMetrics";

  private final VCenterSpec spec;
  private final VimClient client;
  private final SampleSink sink;
  private final NodeDirectory nodes;
  private final Clock clock;
  private final InventoryWatch inventoryWatch;
  private final PerfReader perfReader;
  /** Clusters and datastores from the 5-minute interval, read once per 5 minutes. */
  private final PerfReader historicalReader;
  private final ExecutorService perfExecutor;
  private long lastHistoricalMs;
  private volatile List<PerfTarget> historicalTargets = List.of();

  private volatile Inventory inventory;
  private volatile List<PerfTarget> targets = List.of();
  private Map<String, PerfCounter> counters;
  private long maxQueryMetrics = -1;
  private volatile VCenterStatus status;
  private long cycles;
  private long lateCycles;
  private long errors;
  /** Realtime samples storage has taken from this vCenter so far. */
  private long samplesStored;
  /** The first delay after a cycle that failed or stored nothing yet (doubling per such cycle, up to the interval). */
  private final Duration failedCycleRetry;
  private int failedInARow;
  /** When the next cycle should start sooner than one interval after this one: null for the interval. */
  private Duration retryIn;

  VCenterCollector(VCenterSpec spec, String password, SampleSink sink, NodeDirectory nodes, Clock clock,
      ExecutorService perfExecutor, int maxEntitiesPerQuery, Duration retryBackoff, PerfInstances instances,
      Duration failedCycleRetry) {
    this.spec = requireNonNull(spec, "spec");
    this.failedCycleRetry = requireNonNull(failedCycleRetry, "failedCycleRetry");
    this.client = VimClient.create(spec.clientConfig(requireNonNull(password, "password"), retryBackoff));
    this.sink = requireNonNull(sink, "sink");
    this.nodes = requireNonNull(nodes, "nodes");
    this.clock = requireNonNull(clock, "clock");
    this.perfExecutor = requireNonNull(perfExecutor, "perfExecutor");
    this.inventoryWatch = new InventoryWatch(new InventoryReader(clock, 1000), 1000);
    this.perfReader = new PerfReader(clock, perfExecutor, maxEntitiesPerQuery, instances);
    this.historicalReader = new PerfReader(clock, perfExecutor, maxEntitiesPerQuery, PerfReader.FIVE_MINUTES,
        PerfInstances.none());
    this.inventory = Inventory.empty(spec.name());
    this.status = new VCenterStatus(spec.id(), spec.name(), "starting", null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0);
  }

  VCenterSpec spec() {
    return spec;
  }

  VCenterStatus status() {
    return status;
  }

  Inventory inventory() {
    return inventory;
  }

  VimClient client() {
    return client;
  }

  void markLate() {
    lateCycles++;
  }

  /** Inventory when due, then one performance cycle. */
  void runCycle() {
    String error = null;
    long invMs = status.inventoryDurationMs();
    long lastInv = status.lastInventoryMs();
    boolean up = true;
    CompletableFuture<Void> catalogue = null;
    try {
      if (counters == null) {
        // the counter catalogue and maxQueryMetrics beside the inventory read: the first cycle's
        // serial path is then the inventory alone (both calls wait for one login)
        catalogue = CompletableFuture.runAsync(this::readCatalogue, perfExecutor);
      }
      if (lastInv == 0 || clock.millis() - lastInv >= spec.inventoryInterval().toMillis()) {
        long t0 = System.nanoTime();
        inventoryWatch.reset(client); // a full read every inventoryInterval, as a safety net
        refreshInventory();
        invMs = (System.nanoTime() - t0) / 1_000_000;
        lastInv = clock.millis();
      } else {
        refreshInventory(); // only what changed since the last cycle (WaitForUpdatesEx)
      }
    } catch (VimException | IllegalStateException e) {
      error = "inventory: " + e.getMessage();
      up = false;
      log.warn("vCenter {}: {}", spec.name(), error);
    }
    if (catalogue != null) {
      try {
        catalogue.join();
      } catch (CompletionException | CancellationException e) {
        String msg = "performance counters: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        error = error == null ? msg : error + "; " + msg;
        up = false;
        log.warn("vCenter {}: {}", spec.name(), msg);
      }
    }
    PerfReader.Result r = null;
    if (counters != null && !targets.isEmpty()) { // a failed refresh leaves the last inventory to collect
      r = perfReader.collect(client, counters, maxQueryMetrics, targets, sink,
          spec.perfInterval().minusSeconds(1));
      if (r.failedQueries() > 0) {
        String perf = "performance: " + r.failedQueries() + " of " + r.queries()
            + " QueryPerf calls failed, last: " + r.lastError();
        error = error == null ? perf : error + "; " + perf;
      }
      up = r.failedQueries() < r.queries();
      samplesStored += r.accepted();
      if (samplesStored == 0 && r.failedQueries() == 0) {
        // nothing failed and nothing was stored: said, not left for the next interval to find out
        String empty = "performance: no samples stored yet (" + r.targets() + " VMs and hosts asked, "
            + r.samples() + " samples answered, " + r.rejected() + " rejected by storage)";
        error = error == null ? empty : error + "; " + empty;
      }
    }
    if (counters != null && !historicalTargets.isEmpty()
        && clock.millis() - lastHistoricalMs >= PerfReader.FIVE_MINUTES * 1000L) {
      PerfReader.Result h = historicalReader.collect(client, counters, maxQueryMetrics, historicalTargets, sink,
          spec.perfInterval().minusSeconds(1));
      if (h.failedQueries() == 0) {
        lastHistoricalMs = clock.millis(); // a failed read is tried again next cycle
      } else {
        String hist = "5-minute statistics: " + h.failedQueries() + " of " + h.queries()
            + " QueryPerf calls failed, last: " + h.lastError();
        error = error == null ? hist : error + "; " + hist;
      }
    }
    cycles++;
    if (error != null) {
      errors++;
    }
    // A failed cycle (among them one that asked for samples before any was stored: the first cycle
    // of a new connection, a vCenter still starting) is tried again soon, not one interval later.
    if (error != null) {
      failedInARow++;
      long interval = spec.perfInterval().toMillis();
      long ms = Math.min(interval, failedCycleRetry.toMillis() << Math.min(failedInARow - 1, 20));
      retryIn = ms < interval ? Duration.ofMillis(ms) : null;
      log.warn("vCenter {}: cycle failed ({}); next cycle {}", spec.name(), error,
          retryIn != null ? "in " + ms + " ms" : "after the interval");
    } else {
      failedInARow = 0;
      retryIn = null;
    }
    Inventory inv = inventory;
    status = new VCenterStatus(spec.id(), spec.name(), error == null ? "ok" : "error", error, lastInv, invMs,
        inv.datacenters().size(), inv.clusters().size(), inv.hosts().size(), inv.vms().size(),
        inv.datastores().size(), clock.millis(), r == null ? 0 : r.duration().toMillis(),
        r == null ? 0 : r.samples(), r == null ? 0 : r.rejected(), r == null ? 0 : r.failedQueries(),
        cycles, lateCycles, errors, client.logins());
    writeSelfMetrics(up, r);
  }

  /**
   * When the last cycle failed (which includes storing no sample while none has been stored yet):
   * how soon to run the next one (the configured first delay, doubled per failed cycle in a row);
   * null after a good cycle, or once the doubled delay reaches the interval.
   */
  Duration retryIn() {
    return retryIn;
  }

  /** The counter catalogue and maxQueryMetrics; set together, and only when both were read. */
  private void readCatalogue() {
    Map<String, PerfCounter> c = client.perfCounters();
    long max = client.numericOption(MAX_QUERY_METRICS).orElse(-1);
    maxQueryMetrics = max;
    counters = c;
  }

  /** Brings the inventory up to date and publishes changed VMs and hosts as nodes. */
  void refreshInventory() {
    Inventory old = inventory;
    Inventory inv = inventoryWatch.refresh(client, spec.name());
    if (inv.vms() == old.vms() && inv.hosts() == old.hosts() && inv.clusters() == old.clusters()
        && inv.datastores() == old.datastores()) {
      inventory = inv; // nothing changed (the watch hands back the same lists): targets stay
      return;
    }
    if (!inv.vms().equals(old.vms()) || !inv.hosts().equals(old.hosts())) {
      nodes.upsert(VsphereNodes.nodes(inv));
    }
    List<PerfTarget> t = VsphereNodes.targets(inv);
    Set<String> ids = new HashSet<>();
    t.forEach(x -> ids.add(x.nodeId()));
    perfReader.retain(ids);
    List<PerfTarget> ht = VsphereNodes.historicalTargets(inv);
    Set<String> hids = new HashSet<>();
    ht.forEach(x -> hids.add(x.key()));
    historicalReader.retain(hids);
    inventory = inv;
    targets = t;
    historicalTargets = ht;
  }

  private void writeSelfMetrics(boolean up, PerfReader.Result r) {
    long now = clock.millis();
    String vc = spec.name();
    List<SampleSink.Sample> out = new ArrayList<>();
    out.add(self("vsphere_collector_up", vc, now, up ? 1 : 0));
    out.add(self("vsphere_collector_cycles_total", vc, now, cycles));
    out.add(self("vsphere_collector_late_cycles_total", vc, now, lateCycles));
    out.add(self("vsphere_collector_errors_total", vc, now, errors));
    out.add(self("vsphere_collector_logins_total", vc, now, client.logins()));
    out.add(self("vsphere_collector_inventory_duration_seconds", vc, now, status.inventoryDurationMs() / 1000.0));
    if (r != null) {
      out.add(self("vsphere_collector_cycle_duration_seconds", vc, now, r.duration().toNanos() / 1e9));
      out.add(self("vsphere_collector_cycle_samples", vc, now, r.samples()));
      out.add(self("vsphere_collector_cycle_rejected_samples", vc, now, r.rejected()));
      out.add(self("vsphere_collector_cycle_failed_queries", vc, now, r.failedQueries()));
    }
    Inventory inv = inventory;
    out.add(new SampleSink.Sample(null, Labels.of(Labels.METRIC_NAME, "vsphere_collector_objects", "vcenter", vc,
        "kind", "vm"), now, inv.vms().size()));
    out.add(new SampleSink.Sample(null, Labels.of(Labels.METRIC_NAME, "vsphere_collector_objects", "vcenter", vc,
        "kind", "esxi"), now, inv.hosts().size()));
    for (Inventory.Datastore d : inv.datastores()) {
      Labels base = Labels.of("vcenter", vc, "datacenter", d.datacenter(), "datastore", d.name());
      out.add(new SampleSink.Sample(null, base.toBuilder().set(Labels.METRIC_NAME, "vsphere_datastore_capacity_bytes")
          .build(), now, d.capacityBytes()));
      out.add(new SampleSink.Sample(null, base.toBuilder().set(Labels.METRIC_NAME, "vsphere_datastore_free_bytes")
          .build(), now, d.freeBytes()));
    }
    try {
      sink.write(out);
    } catch (RuntimeException e) {
      log.warn("vCenter {}: writing collector metrics failed: {}", vc, e.getMessage());
    }
  }

  private static SampleSink.Sample self(String name, String vc, long now, double v) {
    return new SampleSink.Sample(null, Labels.of(Labels.METRIC_NAME, name, "vcenter", vc), now, v);
  }

  @Override
  public void close() {
    client.close();
  }
}
