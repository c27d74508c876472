package syslens.vsphere.guest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./syslens bench vsphere guest --vms N [--sessions S]}: guest collection at scale. N
 * simulated VMs, all pointed at one real OpenSSH sshd on loopback (Debian openssh-server) by one
 * SSH credential with a key, collected by the real {@link GuestService} with at most S sessions at
 * once (default 100, the specification's limit). Two cycles: the first pins every VM's host key,
 * the second is what every later cycle costs. Samples go to a counting sink. Every VM costs sshd a
 * fork, a key exchange and a shell reading /proc and df, so sshd's CPU (its children's included)
 * is printed apart from the collector's. The last output line is one JSON object.
 */
public final class GuestBench {
  private GuestBench() {}

  public static void main(String[] args) throws Exception {
    int vms = 200;
    int sessions = 100;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--vms" -> vms = positive(args, ++i);
        case "--sessions" -> sessions = positive(args, ++i);
        default -> {
          System.err.println("bench vsphere guest: unknown option '" + args[i] + "' (expected: --vms N, --sessions N)");
          System.exit(2);
        }
      }
    }
    if (vms > 5000) {
      System.err.println("bench vsphere guest: --vms " + vms + " (expected: <= 5000; every VM is an sshd fork on this machine)");
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("syslens-guest-bench");
    try (Sshd sshd = Sshd.start(dir.resolve("sshd"))) {
      List<GuestVm> list = new ArrayList<>();
      for (int i = 0; i < vms; i++) {
        String name = String.format(Locale.ROOT, "g-%05d", i);
        list.add(new GuestVm("vm:bench:" + name, name, "bench", List.of("127.0.0.1"),
            Map.of("vcenter", "bench", "vm", name), true));
      }
      GuestParts.Sink sink = new GuestParts.Sink();
      GuestService service = GuestService.builder(new GuestParts.Repository(), new GuestParts.Cipher(), sink, () -> list)
          .maxSessions(sessions).build();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", "bench");
      body.put("kind", "ssh");
      body.put("vms", "g-*");
      body.put("connectAddress", "127.0.0.1:" + sshd.port);
      body.put("user", System.getProperty("user.name"));
      body.put("privateKey", sshd.clientPrivateKey);
      GuestApi.Response created = new GuestApi(service).handle("POST", "", Map.of(), body);
      if (created.status() != 200) {
        throw new IllegalStateException("credential refused: " + created.error());
      }
      long sshd0 = treeTicks(sshd);
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      GuestStatus.Cycles first = service.runNow();
      long t1 = System.nanoTime();
      long cpu1 = processCpuNanos();
      long sshd1 = treeTicks(sshd);
      int samples1 = sink.all.size();
      GuestStatus.Cycles second = service.runNow();
      long t2 = System.nanoTime();
      long cpu2 = processCpuNanos();
      long sshd2 = treeTicks(sshd);
      String firstError = service.statuses().stream().filter(s -> !"ok".equals(s.state())).map(GuestStatus::lastError)
          .findFirst().orElse("");
      System.err.printf("cycle 1: %d of %d ok in %.2f s; cycle 2: %d ok in %.2f s%s%n", first.ok(), first.targets(),
          (t1 - t0) / 1e9, second.ok(), (t2 - t1) / 1e9, firstError.isEmpty() ? "" : "; first error: " + firstError);
      service.close();
      System.out.println(String.format(Locale.ROOT, "{\"vms\":%d,\"sessions\":%d,\"cycle_ms\":%d,\"warm_cycle_ms\":%d,"
              + "\"ok\":%d,\"errors\":%d,\"warm_ok\":%d,\"warm_errors\":%d,\"samples\":%d,\"warm_samples\":%d,"
              + "\"collector_cpu_s\":%.2f,\"warm_collector_cpu_s\":%.2f,\"sshd_cpu_s\":%.2f,\"warm_sshd_cpu_s\":%.2f,"
              + "\"load_average\":%.1f}",
          vms, sessions, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, first.ok(), first.errors(), second.ok(),
          second.errors(), samples1, sink.all.size() - samples1, (cpu1 - cpu0) / 1e9, (cpu2 - cpu1) / 1e9,
          (sshd1 - sshd0) / 100.0, (sshd2 - sshd1) / 100.0,
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    }
  }

  private static int positive(String[] args, int i) {
    try {
      int n = Integer.parseInt(args[i]);
      if (n > 0) {
        return n;
      }
    } catch (RuntimeException e) {
      // fall through
    }
    System.err.println("bench vsphere guest: " + args[i - 1] + " '" + (i < args.length ? args[i] : "")
        + "' (expected: a positive integer)");
    System.exit(2);
    return 0;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** sshd's CPU in clock ticks: its own plus its reaped children's (one per session). */
  private static long treeTicks(Sshd sshd) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + sshd.pid() + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
  }
}
