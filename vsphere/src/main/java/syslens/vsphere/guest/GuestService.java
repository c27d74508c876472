package syslens.vsphere.guest;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.storage.Labels;
import syslens.vsphere.CredentialCipher;
import syslens.vsphere.SampleSink;

/**
 * Guest collection: every cycle, each powered-on VM that a configured credential covers (the
 * first by name whose selector matches) is read over SSH, WinRM or a script, on virtual threads,
 * at most {@code maxSessions} SSH/WinRM sessions and {@code maxScripts} scripts at once. Samples
 * carry the VM's node identity. A cycle never overlaps itself (a late one starts at once and is
 * counted, not stacked); each VM's last outcome is kept for REST and written as
 * {@code syslens_guest_*} series.
 */
public final class GuestService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GuestService.class);

  private final GuestRepository repository;
  private final CredentialCipher cipher;
  private final SampleSink sink;
  private final Supplier<List<GuestVm>> vms;
  private final Clock clock;
  private final Duration interval;
  private final Semaphore sessions;
  private final Semaphore scripts;
  private final ScheduledExecutorService scheduler;
  private final ScheduledExecutorService watchdog; // cuts SSH sessions at their deadline
  private final SshCollector ssh;
  private final WinRmCollector winrm;
  private final ScriptCollector script;
  private final Map<String, GuestStatus> statuses = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong[]> counts = new ConcurrentHashMap<>(); // "vcenter\0kind" -> {collects, errors}
  private final Object cycleLock = new Object();
  private volatile GuestStatus.Cycles cycles;
  private volatile ScheduledFuture<?> next;
  private volatile boolean closed;
  private long cycleCount;
  private long lateCycles;

  private GuestService(Builder b) {
    this.repository = b.repository;
    this.cipher = b.cipher;
    this.sink = b.sink;
    this.vms = b.vms;
    this.clock = b.clock;
    this.interval = b.interval;
    this.sessions = new Semaphore(b.maxSessions);
    this.scripts = new Semaphore(b.maxScripts);
    this.scheduler = Executors.newScheduledThreadPool(1, r -> {
      Thread t = new Thread(r, "guest-cycle");
      t.setDaemon(true);
      return t;
    });
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "guest-deadlines");
      t.setDaemon(true);
      return t;
    });
    this.ssh = new SshCollector(watchdog, b.commandTimeout, b.maxSshOutputBytes);
    this.winrm = new WinRmCollector(b.maxWinRmResponseBytes);
    this.script = new ScriptCollector(b.maxScriptOutputBytes);
    this.cycles = new GuestStatus.Cycles(interval.toSeconds(), 0, 0, 0, 0, 0, 0, 0);
  }

  public static Builder builder(GuestRepository repository, CredentialCipher cipher, SampleSink sink,
      Supplier<List<GuestVm>> vms) {
    return new Builder(repository, cipher, sink, vms);
  }

  /** Starts the schedule: the first cycle after one interval (the inventory needs a moment). */
  public void start() {
    schedule(interval.toMillis());
  }

  public CredentialCipher cipher() {
    return cipher;
  }

  public List<GuestCredential> list() {
    List<GuestCredential> out = new ArrayList<>(repository.list());
    out.sort(Comparator.comparing(GuestCredential::name));
    return out;
  }

  public Optional<GuestCredential> get(String id) {
    return repository.list().stream().filter(c -> c.id().equals(id)).findFirst();
  }

  public void save(GuestCredential credential) {
    requireNonNull(credential, "credential");
    for (GuestCredential other : repository.list()) {
      if (!other.id().equals(credential.id()) && other.name().equals(credential.name())) {
        throw new IllegalArgumentException("name: '" + credential.name() + "' is taken by guest credential "
            + other.id() + " (expected: a unique name)");
      }
    }
    repository.save(credential);
  }

  public boolean delete(String id) {
    return repository.delete(id);
  }

  public boolean forgetHostKey(String nodeId) {
    return repository.forgetHostKey(nodeId);
  }

  /** Every targeted VM's last outcome, by VM name. */
  public List<GuestStatus> statuses() {
    List<GuestStatus> out = new ArrayList<>(statuses.values());
    out.sort(Comparator.comparing(GuestStatus::vm).thenComparing(GuestStatus::node));
    return out;
  }

  public GuestStatus.Cycles cycles() {
    return cycles;
  }

  /** Runs a cycle now (waits for a running one; never two at once) and returns its summary. */
  public GuestStatus.Cycles runNow() {
    synchronized (cycleLock) {
      runCycle();
    }
    return cycles;
  }

  private void schedule(long delayMs) {
    if (!closed) {
      next = scheduler.schedule(this::scheduledCycle, delayMs, TimeUnit.MILLISECONDS);
    }
  }

  private void scheduledCycle() {
    long start = clock.millis();
    try {
      synchronized (cycleLock) {
        if (closed) {
          return;
        }
        runCycle();
      }
    } catch (RuntimeException e) {
      log.error("guest collection: cycle failed unexpectedly", e);
    }
    long now = clock.millis();
    if (now - start > interval.toMillis()) {
      synchronized (cycleLock) {
        lateCycles++; // reported, not stacked: the next cycle starts now
      }
    }
    schedule(Math.max(0, start + interval.toMillis() - now));
  }

  private record Target(GuestVm vm, GuestCredential credential) {}

  /** One cycle: every covered VM once, in parallel under the limits; returns when all are done. */
  void runCycle() {
    long t0 = System.nanoTime();
    List<GuestCredential> creds = list().stream().filter(GuestCredential::enabled).toList();
    List<Target> targets = new ArrayList<>();
    if (!creds.isEmpty()) {
      for (GuestVm vm : vms.get()) {
        if (vm.poweredOn()) {
          creds.stream().filter(c -> c.selector().matches(vm)).findFirst().ifPresent(c -> targets.add(new Target(vm, c)));
        }
      }
    }
    try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Target t : targets) {
        exec.submit(() -> collectOne(t));
      }
    } // close() waits for every task; each has its own deadline
    Set<String> ids = new HashSet<>();
    targets.forEach(t -> ids.add(t.vm().nodeId()));
    statuses.keySet().retainAll(ids);
    int ok = (int) targets.stream().filter(t -> "ok".equals(statuses.get(t.vm().nodeId()).state())).count();
    cycleCount++;
    long ms = (System.nanoTime() - t0) / 1_000_000;
    cycles = new GuestStatus.Cycles(interval.toSeconds(), clock.millis(), ms, targets.size(), ok,
        targets.size() - ok, cycleCount, lateCycles);
    writeSelfMetrics(ms);
  }

  private void collectOne(Target t) {
    GuestVm vm = t.vm();
    GuestCredential c = t.credential();
    long start = System.nanoTime();
    String address = "";
    List<GuestMetric> metrics = null;
    String error = null;
    Semaphore limit = c.kind() == GuestCredential.Kind.SCRIPT ? scripts : sessions;
    try {
      limit.acquire();
      try {
        GuestCredential.HostPort at = c.endpoint(vm);
        address = c.kind() == GuestCredential.Kind.SCRIPT ? at.host() : at.toString();
        String password = open(c.sealedPassword());
        metrics = switch (c.kind()) {
          case SSH -> ssh.collect(at, c.user(), password, open(c.sealedPrivateKey()), c.timeout(),
              new SshCollector.Pin(repository.hostKey(vm.nodeId()), fp -> repository.pinHostKey(vm.nodeId(), fp)));
          case WINRM -> winrm.collect(at, c.https(), c.pinnedSha256(), c.user(), password, c.timeout());
          case SCRIPT -> script.collect(c.command(), vm, at.host(), c.user(), password, c.timeout());
        };
      } finally {
        limit.release();
      }
    } catch (GuestException e) {
      error = e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "interrupted (the server is stopping)";
    } catch (RuntimeException e) {
      error = "unexpected failure: " + e;
      log.warn("guest {} ({}): unexpected failure", vm.name(), c.kind().label(), e);
    }
    long durationMs = (System.nanoTime() - start) / 1_000_000;
    long now = clock.millis();
    List<SampleSink.Sample> out = new ArrayList<>(metrics == null ? 2 : metrics.size() + 2);
    if (metrics != null) {
      for (GuestMetric m : metrics) {
        out.add(new SampleSink.Sample(vm.nodeId(), vm.name(), m.labels(), now, m.value()));
      }
    }
    out.add(new SampleSink.Sample(vm.nodeId(), vm.name(), Labels.of(Labels.METRIC_NAME, "syslens_guest_up",
        "kind", c.kind().label()), now, error == null ? 1 : 0));
    out.add(new SampleSink.Sample(vm.nodeId(), vm.name(), Labels.of(Labels.METRIC_NAME,
        "syslens_guest_collect_duration_seconds", "kind", c.kind().label()), now, durationMs / 1000.0));
    try {
      sink.write(out);
    } catch (RuntimeException e) {
      error = (error == null ? "" : error + "; ") + "storing the samples failed: " + e.getMessage();
    }
    AtomicLong[] n = counts.computeIfAbsent(vm.vcenter() + '\0' + c.kind().label(),
        k -> new AtomicLong[] {new AtomicLong(), new AtomicLong()});
    n[0].incrementAndGet();
    GuestStatus old = statuses.get(vm.nodeId());
    if (error != null) {
      n[1].incrementAndGet();
      log.debug("guest {} ({}): {}", vm.name(), c.kind().label(), error);
    }
    statuses.put(vm.nodeId(), new GuestStatus(vm.nodeId(), vm.name(), vm.vcenter(), c.name(), c.kind().label(), address,
        error == null ? "ok" : "error", error == null ? now : old == null ? 0 : old.lastOkMs(),
        error != null ? now : old == null ? 0 : old.lastErrorMs(), error, durationMs,
        metrics == null ? 0 : metrics.size(),
        c.kind() == GuestCredential.Kind.SSH ? repository.hostKey(vm.nodeId()).orElse(null) : null));
  }

  private String open(String sealed) throws GuestException {
    if (sealed == null) {
      return null;
    }
    try {
      return cipher.open(sealed);
    } catch (IllegalArgumentException e) {
      throw new GuestException("the stored secret cannot be opened with this server's master key"
          + " (expected: the key it was sealed with; enter the password or key again)");
    }
  }

  private void writeSelfMetrics(long cycleMs) {
    long now = clock.millis();
    List<SampleSink.Sample> out = new ArrayList<>();
    counts.forEach((k, v) -> {
      String[] vk = k.split("\0", 2);
      out.add(new SampleSink.Sample(null, Labels.of(Labels.METRIC_NAME, "syslens_guest_collects_total",
          "vcenter", vk[0], "kind", vk[1]), now, v[0].get()));
      out.add(new SampleSink.Sample(null, Labels.of(Labels.METRIC_NAME, "syslens_guest_collect_errors_total",
          "vcenter", vk[0], "kind", vk[1]), now, v[1].get()));
    });
    GuestStatus.Cycles c = cycles;
    out.add(new SampleSink.Sample(null, Labels.of(Labels.METRIC_NAME, "syslens_guest_cycle_duration_seconds"), now,
        cycleMs / 1000.0));
    out.add(new SampleSink.Sample(null, Labels.of(Labels.METRIC_NAME, "syslens_guest_cycle_targets"), now, c.targets()));
    out.add(new SampleSink.Sample(null, Labels.of(Labels.METRIC_NAME, "syslens_guest_cycle_errors"), now, c.errors()));
    out.add(new SampleSink.Sample(null, Labels.of(Labels.METRIC_NAME, "syslens_guest_cycles_total"), now, c.cycles()));
    out.add(new SampleSink.Sample(null, Labels.of(Labels.METRIC_NAME, "syslens_guest_late_cycles_total"), now,
        c.lateCycles()));
    try {
      sink.write(out);
    } catch (RuntimeException e) {
      log.warn("guest collection: writing its own metrics failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    ScheduledFuture<?> f = next;
    if (f != null) {
      f.cancel(false);
    }
    synchronized (cycleLock) { // waits for a running cycle
      scheduler.shutdownNow();
      watchdog.shutdownNow();
      winrm.close();
    }
  }

  /** Builder; every setter validates. */
  public static final class Builder {
    private final GuestRepository repository;
    private final CredentialCipher cipher;
    private final SampleSink sink;
    private final Supplier<List<GuestVm>> vms;
    private Clock clock = Clock.systemUTC();
    private Duration interval = Duration.ofSeconds(60);
    private Duration commandTimeout = Duration.ofSeconds(30);
    private int maxSessions = 100;
    private int maxScripts = 8;
    private int maxSshOutputBytes = 4 << 20;
    private int maxScriptOutputBytes = 1 << 20;
    private int maxWinRmResponseBytes = 8 << 20;

    private Builder(GuestRepository repository, CredentialCipher cipher, SampleSink sink, Supplier<List<GuestVm>> vms) {
      this.repository = requireNonNull(repository, "repository");
      this.cipher = requireNonNull(cipher, "cipher");
      this.sink = requireNonNull(sink, "sink");
      this.vms = requireNonNull(vms, "vms");
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    public Builder interval(Duration interval) {
      requireNonNull(interval, "interval");
      if (interval.toMillis() < 100 || interval.toHours() > 24) {
        throw new IllegalArgumentException("interval: " + interval.toMillis() + " ms (expected: 100 ms..24 h)");
      }
      this.interval = interval;
      return this;
    }

    /** How long the SSH command may run once connected (default 30 s). */
    public Builder commandTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.toMillis() < 100 || timeout.toMinutes() > 10) {
        throw new IllegalArgumentException("commandTimeout: " + timeout.toMillis() + " ms (expected: 100 ms..10 min)");
      }
      this.commandTimeout = timeout;
      return this;
    }

    public Builder maxSessions(int n) {
      this.maxSessions = range("maxSessions", n, 1, 100);
      return this;
    }

    public Builder maxScripts(int n) {
      this.maxScripts = range("maxScripts", n, 1, 256);
      return this;
    }

    public Builder maxScriptOutputBytes(int n) {
      this.maxScriptOutputBytes = range("maxScriptOutputBytes", n, 1024, 64 << 20);
      return this;
    }

    public Builder maxSshOutputBytes(int n) {
      this.maxSshOutputBytes = range("maxSshOutputBytes", n, 1024, 64 << 20);
      return this;
    }

    private static int range(String name, int n, int min, int max) {
      if (n < min || n > max) {
        throw new IllegalArgumentException(name + ": " + n + " (expected: " + min + ".." + max + ")");
      }
      return n;
    }

    public GuestService build() {
      return new GuestService(this);
    }
  }
}
