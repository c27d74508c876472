package syslens.vsphere.guest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import syslens.storage.Labels;

/**
 * Runs a user's script for one VM: {@code command... <vm name> <address> <node id>} (also in
 * {@code SYSLENS_VM}, {@code SYSLENS_ADDRESS}, {@code SYSLENS_NODE}, {@code SYSLENS_USER} and
 * {@code SYSLENS_PASSWORD} when the credential has them), standard output at most
 * {@code maxOutputBytes}, under a deadline; a script that runs over or floods its output is killed
 * with its descendants. Output is JSON, either
 * {@code {"metrics":[{"name":"n","labels":{"k":"v"},"value":1.5}, ...]}} or a flat
 * {@code {"name": value, ...}}.
 */
final class ScriptCollector {
  static final int MAX_METRICS = 10_000;
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]{0,199}");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,99}");
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build()).build());

  private final int maxOutputBytes;

  ScriptCollector(int maxOutputBytes) {
    this.maxOutputBytes = maxOutputBytes;
  }

  List<GuestMetric> collect(List<String> command, GuestVm vm, String address, String user, String password,
      Duration timeout) throws GuestException {
    requireNonNull(command, "command");
    List<String> argv = new ArrayList<>(command);
    argv.add(vm.name());
    argv.add(address);
    argv.add(vm.nodeId());
    ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.put("SYSLENS_VM", vm.name());
    env.put("SYSLENS_ADDRESS", address);
    env.put("SYSLENS_NODE", vm.nodeId());
    if (user != null) {
      env.put("SYSLENS_USER", user);
    }
    if (password != null) {
      env.put("SYSLENS_PASSWORD", password);
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new GuestException("script " + command.getFirst() + " cannot be started: " + e.getMessage()
          + " (expected: an executable file on the server)");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> tail(p.getErrorStream(), 2048),
          Thread::startVirtualThread);
      CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
        try {
          return readLimited(p.getInputStream());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, Thread::startVirtualThread);
      byte[] stdout;
      try {
        stdout = out.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new GuestException("script " + command.getFirst() + " did not finish within " + timeout.toMillis()
            + " ms; killed (expected: a script that answers in time)");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TooMuch) {
          throw new GuestException("script " + command.getFirst() + " printed more than " + maxOutputBytes
              + " bytes; killed (expected: at most " + maxOutputBytes + " bytes of JSON)");
        }
        throw new GuestException("reading script " + command.getFirst() + " failed: " + e.getCause().getMessage());
      }
      if (!p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new GuestException("script " + command.getFirst() + " closed its output but did not exit within "
            + timeout.toMillis() + " ms; killed");
      }
      if (p.exitValue() != 0) {
        String e = new String(err.getNow(new byte[0]), StandardCharsets.UTF_8).strip();
        try {
          e = new String(err.get(1, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
        } catch (ExecutionException | TimeoutException ignored) {
          // keep what there is
        }
        throw new GuestException("script " + command.getFirst() + " exited with status " + p.exitValue()
            + (e.isEmpty() ? "" : ": " + e) + " (expected: 0 and JSON on standard output)");
      }
      return parse(stdout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GuestException("interrupted while script " + command.getFirst() + " ran; killed");
    } finally {
      kill(p);
    }
  }

  /** Kills the process and every descendant (collected first: once the parent dies they are orphans). */
  static void kill(Process p) {
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class TooMuch extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooMuch() {
      super(null, null, false, false);
    }
  }

  private byte[] readLimited(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[8192];
    int n;
    while ((n = in.read(b)) >= 0) {
      if (buf.size() + n > maxOutputBytes) {
        throw new TooMuch();
      }
      buf.write(b, 0, n);
    }
    return buf.toByteArray();
  }

  /** The last {@code max} bytes of a stream (stderr), read to its end so the script never blocks on it. */
  private static byte[] tail(InputStream in, int max) {
    byte[] ring = new byte[max];
    int len = 0;
    byte[] b = new byte[4096];
    try {
      int n;
      while ((n = in.read(b)) >= 0) {
        for (int i = 0; i < n; i++) {
          if (len == max) {
            System.arraycopy(ring, 1, ring, 0, max - 1);
            len--;
          }
          ring[len++] = b[i];
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    return java.util.Arrays.copyOf(ring, len);
  }

  /** The JSON output as metrics; throws naming what is wrong and what was expected. */
  static List<GuestMetric> parse(byte[] stdout) throws GuestException {
    JsonNode root;
    try {
      root = JSON.readTree(stdout);
    } catch (IOException e) {
      String head = new String(stdout, 0, Math.min(stdout.length, 60), StandardCharsets.UTF_8).strip();
      throw new GuestException("script output is not JSON (starts with '" + head + "'; expected: "
          + "{\"metrics\":[{\"name\":...,\"labels\":{...},\"value\":...}]} or {\"name\": value, ...})");
    }
    if (root == null || !root.isObject()) {
      throw new GuestException("script output is not a JSON object (expected: {\"metrics\":[...]} or {\"name\": value, ...})");
    }
    List<GuestMetric> out = new ArrayList<>();
    JsonNode list = root.get("metrics");
    if (list != null && list.isArray()) {
      for (int i = 0; i < list.size(); i++) {
        JsonNode m = list.get(i);
        String where = "metrics[" + i + "]";
        if (!m.isObject() || !m.path("name").isTextual()) {
          throw new GuestException(where + ": no name (expected: {\"name\":...,\"value\":...})");
        }
        Labels.Builder b = Labels.builder().set(Labels.METRIC_NAME, name(m.get("name").asText(), where));
        JsonNode labels = m.path("labels");
        if (!labels.isMissingNode() && !labels.isNull()) {
          if (!labels.isObject() || labels.size() > 32) {
            throw new GuestException(where + ".labels: not an object of at most 32 string values");
          }
          for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!LABEL_NAME.matcher(e.getKey()).matches() || e.getKey().startsWith("__")
                || !e.getValue().isTextual() || e.getValue().asText().length() > 1024) {
              throw new GuestException(where + ".labels." + e.getKey()
                  + ": invalid (expected: a label name [a-zA-Z_][a-zA-Z0-9_]* with a string value of <= 1024 characters)");
            }
            b.set(e.getKey(), e.getValue().asText());
          }
        }
        out.add(new GuestMetric(b.build(), value(m.get("value"), where + ".value")));
        limit(out);
      }
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      out.add(GuestMetric.of(name(e.getKey(), e.getKey()), value(e.getValue(), e.getKey())));
      limit(out);
    }
    return out;
  }

  private static void limit(List<GuestMetric> out) throws GuestException {
    if (out.size() > MAX_METRICS) {
      throw new GuestException("script output has more than " + MAX_METRICS + " metrics (expected: fewer)");
    }
  }

  private static String name(String n, String where) throws GuestException {
    if (!METRIC_NAME.matcher(n).matches()) {
      throw new GuestException(where + ": metric name '" + (n.length() > 60 ? n.substring(0, 60) + "..." : n)
          + "' (expected: [a-zA-Z_:][a-zA-Z0-9_:]*)");
    }
    return n;
  }

  private static double value(JsonNode v, String where) throws GuestException {
    if (v == null || !v.isNumber()) {
      throw new GuestException(where + ": " + (v == null ? "missing" : v.getNodeType().name().toLowerCase(java.util.Locale.ROOT))
          + " (expected: a number)");
    }
    return v.asDouble();
  }
}
