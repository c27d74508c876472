package syslens.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server process the benchmark started: its CPU time and RSS from /proc, its output in a log
 * file, and a stop that always ends it (SIGTERM, then SIGKILL after a grace period).
 */
final class Child implements AutoCloseable {
  /** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
  private static final double TICKS = 100.0;
  private final String name;
  private final Process process;
  private final Path log;

  private Child(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command} with extra environment, stdout and stderr to {@code log}. */
  static Child start(String name, List<String> command, Map<String, String> env, Path log, Registry registry)
      throws IOException {
    requireNonNull(command, "command");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException(name + ": cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    Child c = new Child(name, p, log);
    registry.add(c);
    return c;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /** User + system CPU seconds of the process so far (from /proc/PID/stat). */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
      // Fields after the command name in parentheses, which may itself hold spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
    } catch (IOException e) {
      throw new UncheckedIOException(name + " (pid " + pid() + ") is gone; see " + log, e);
    }
  }

  /**
   * The RSS once it has stopped falling: polled every 250 ms until two readings in a row are no
   * lower than the one before, at most {@code maxMs}. After a full GC, G1 gives the heap it shrank
   * back to the OS in a background thread (about 1 s per GiB on this machine); read at once, the
   * RSS still holds memory the JVM has already released.
   */
  long settledRssBytes(long maxMs) throws InterruptedException {
    long deadline = System.nanoTime() + maxMs * 1_000_000;
    long last = rssBytes();
    int steady = 0;
    while (steady < 2 && System.nanoTime() < deadline) {
      Thread.sleep(250);
      long now = rssBytes();
      steady = now < last ? 0 : steady + 1;
      last = Math.min(last, now);
    }
    return rssBytes();
  }

  /** Resident set size in bytes (VmRSS of /proc/PID/status). */
  long rssBytes() {
    return status("VmRSS:");
  }

  /** The highest RSS the process has had so far (VmHWM of /proc/PID/status). */
  long peakRssBytes() {
    return status("VmHWM:");
  }

  private long status(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      return -1;
    } catch (IOException e) {
      throw new UncheckedIOException(name + " (pid " + pid() + ") is gone; see " + log, e);
    }
  }

  /** Last lines of the log, for error messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Fails with the log's tail when the process has exited. */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " exited with status " + process.exitValue() + "; last lines of "
          + log + ":\n" + tail());
    }
  }

  /** SIGTERM, wait up to 30 s, then SIGKILL. Returns seconds the stop took. */
  double stop() {
    return stop(30);
  }

  /** SIGTERM, wait up to {@code graceSeconds}, then SIGKILL. Returns seconds the stop took. */
  double stop(int graceSeconds) {
    long t0 = System.nanoTime();
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  @Override
  public void close() {
    stop();
  }

  /** Every child started in this run; stopped on exit, also on Ctrl-C or a failure. */
  static final class Registry {
    private final List<Child> children = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    static Registry withShutdownHook() {
      Registry r = new Registry();
      Runtime.getRuntime().addShutdownHook(new Thread(r::stopAll, "bench-stop-children"));
      return r;
    }

    synchronized void add(Child c) {
      children.add(c);
    }

    /** A directory deleted after the children stop, also when the run is interrupted. */
    synchronized void deleteAtEnd(Path dir) {
      dirs.add(dir);
    }

    synchronized void stopAll() {
      for (Child c : children) {
        c.stop();
      }
      children.clear();
      dirs.forEach(Servers::deleteTree);
      dirs.clear();
    }
  }
}
