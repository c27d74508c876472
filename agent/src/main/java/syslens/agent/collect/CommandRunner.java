package syslens.agent.collect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link CommandSource}: no shell, stdin closed, stderr discarded, stdout read up to its
 * limit. At the timeout, or when stdout passes the limit, the command and all its descendants
 * ({@link ProcessHandle#descendants()}, listed before the parent dies so none is orphaned first)
 * are killed. Samples get {@code command=<name>} (an existing one becomes {@code
 * exported_command}).
 */
final class CommandRunner {

  private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);

  private CommandRunner() {}

  static List<Metric> run(CommandSource c) {
    long t0 = System.nanoTime();
    AtomicBoolean timedOut = new AtomicBoolean();
    List<Metric> out;
    boolean ok = false;
    Process p = null;
    try {
      p = new ProcessBuilder(c.argv()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      Process proc = p;
      CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
        if (proc.isAlive()) {
          timedOut.set(true);
          killTree(proc.toHandle());
        }
      }, CompletableFuture.delayedExecutor(c.timeout().toNanos(), TimeUnit.NANOSECONDS));
      byte[] stdout;
      try (InputStream in = p.getInputStream()) {
        stdout = ExternalSources.readLimited(in, c.maxBytes(), "command " + c.name());
        // Output closed: the exit must still come before the same deadline.
        long left = t0 + c.timeout().toNanos() - System.nanoTime();
        if (!p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
          timedOut.set(true);
          throw new IOException("command " + c.name() + ": still running at the timeout");
        }
      } finally {
        killer.cancel(false);
      }
      if (timedOut.get()) {
        throw new IOException("command " + c.name() + ": timed out after " + c.timeout().toMillis() + " ms");
      }
      if (p.exitValue() != 0) {
        throw new IOException("command " + c.name() + ": exit status " + p.exitValue() + " (expected: 0)");
      }
      String text = new String(stdout, StandardCharsets.UTF_8);
      List<Metric> parsed = c.format() == CommandSource.Format.JSON ? fromJson(text, c.maxSeries())
          : PromText.parse(text, c.maxSeries());
      out = ExternalSources.relabel(parsed, "command", c.name());
      ok = true;
    } catch (IOException | IllegalArgumentException e) {
      if (p != null) {
        killTree(p.toHandle());
      }
      log.debug("command {} failed: {}", c.name(), e.toString());
      out = new ArrayList<>(3);
    } catch (InterruptedException e) {
      killTree(p.toHandle());
      Thread.currentThread().interrupt();
      out = new ArrayList<>(3);
    }
    out.add(Metric.of("syslens_command_success", ok ? 1 : 0, "command", c.name()));
    out.add(Metric.of("syslens_command_timed_out", timedOut.get() ? 1 : 0, "command", c.name()));
    out.add(Metric.of("syslens_command_duration_seconds", (System.nanoTime() - t0) / 1e9, "command", c.name()));
    return out;
  }

  static void killTree(ProcessHandle root) {
    List<ProcessHandle> tree = new ArrayList<>();
    root.descendants().forEach(tree::add);
    root.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * JSON output: either an object of metric name to number ({@code {"queue_depth": 3}}), or an
   * array of {@code {"name": ..., "labels": {...}, "value": ...}}.
   */
  @SuppressWarnings("unchecked")
  static List<Metric> fromJson(String text, int maxSeries) {
    Object root = Json.parse(text);
    List<Metric> out = new ArrayList<>();
    if (root instanceof Map<?, ?> m) {
      for (var e : ((Map<String, Object>) m).entrySet()) {
        out.add(Metric.of(checkName(e.getKey()), number(e.getValue(), e.getKey())));
        checkCount(out, maxSeries);
      }
      return out;
    }
    if (!(root instanceof List<?> l)) {
      throw new IllegalArgumentException("JSON: a " + kind(root) + " (expected: an object or an array)");
    }
    for (Object item : l) {
      if (!(item instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException("JSON array item: a " + kind(item)
            + " (expected: {\"name\": ..., \"labels\": {...}, \"value\": ...})");
      }
      Object name = m.get("name");
      if (!(name instanceof String n)) {
        throw new IllegalArgumentException("JSON array item: name " + name + " (expected: a string)");
      }
      List<String> pairs = new ArrayList<>();
      Object labels = m.get("labels");
      if (labels instanceof Map<?, ?> lm) {
        for (var e : lm.entrySet()) {
          pairs.add(checkLabel(String.valueOf(e.getKey())));
          pairs.add(String.valueOf(e.getValue()));
        }
      } else if (labels != null) {
        throw new IllegalArgumentException("JSON " + n + ": labels " + kind(labels) + " (expected: an object)");
      }
      out.add(Metric.of(checkName(n), number(m.get("value"), n), pairs.toArray(new String[0])));
      checkCount(out, maxSeries);
    }
    return out;
  }

  private static void checkCount(List<Metric> out, int max) {
    if (out.size() > max) {
      throw new IllegalArgumentException("JSON: more than " + max + " samples (expected: at most " + max + ")");
    }
  }

  private static double number(Object v, String name) {
    if (v instanceof Double d) {
      return d;
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    throw new IllegalArgumentException("JSON " + name + ": value " + kind(v) + " (expected: a number)");
  }

  private static String checkName(String n) {
    if (!n.matches("[a-zA-Z_:][a-zA-Z0-9_:]{0,255}")) {
      throw new IllegalArgumentException("JSON metric name '" + n + "' (expected: [a-zA-Z_:][a-zA-Z0-9_:]*)");
    }
    return n;
  }

  private static String checkLabel(String n) {
    if (!n.matches("[a-zA-Z_][a-zA-Z0-9_]{0,255}") || n.startsWith("__")) {
      throw new IllegalArgumentException("JSON label name '" + n + "' (expected: [a-zA-Z_][a-zA-Z0-9_]*, not __*)");
    }
    return n;
  }

  private static String kind(Object v) {
    return v == null ? "null" : v instanceof String ? "string" : v instanceof Double ? "number"
        : v instanceof Map ? "object" : v instanceof List ? "array" : "boolean";
  }
}
