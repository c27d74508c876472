package syslens.agent.collect;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrape targets and custom commands, run beside the round. Each round starts every source that
 * is not still running from an earlier round (one run per source at a time) and waits up to
 * {@code roundWait} for them; a source that takes longer lands in the first round after it
 * finishes. Runs happen on worker threads (at most one per source, created on demand, ended
 * after a minute idle). Status series per source: {@code up{job}} and {@code
 * scrape_duration_seconds{job}} for targets (Prometheus' names); {@code
 * syslens_command_success{command}}, {@code syslens_command_timed_out{command}} and {@code
 * syslens_command_duration_seconds{command}} for commands.
 */
public final class ExternalSources implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ExternalSources.class);

  private final List<Source> sources = new ArrayList<>();
  private final ThreadPoolExecutor workers;
  private final Duration roundWait;

  /** One configured target or command and its run in flight. */
  private static final class Source {
    final String name;
    final Runner runner;
    CompletableFuture<List<Metric>> running;
    String lastError;

    Source(String name, Runner runner) {
      this.name = name;
      this.runner = runner;
    }
  }

  /** Runs a source once; the result holds its samples and its status series. */
  interface Runner {
    List<Metric> run();
  }

  private ExternalSources(CollectConfig config, Duration roundWait) {
    this.roundWait = requireNonNull(roundWait, "roundWait");
    for (ScrapeTarget t : config.scrapeTargets()) {
      sources.add(new Source("scrape " + t.name(), () -> scrape(t)));
    }
    for (CommandSource c : config.commands()) {
      sources.add(new Source("command " + c.name(), () -> CommandRunner.run(c)));
    }
    this.workers = new ThreadPoolExecutor(0, Math.max(1, sources.size()), 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "syslens-agent-source");
          t.setDaemon(true);
          return t;
        });
  }

  /** The sources of {@code config}; null when it has none (nothing to start, no threads). */
  public static ExternalSources create(CollectConfig config, Duration roundWait) {
    return config.scrapeTargets().isEmpty() && config.commands().isEmpty() ? null
        : new ExternalSources(config, roundWait);
  }

  /** Adds what finished since the last round, starting runs and waiting up to the round wait. */
  public void collect(List<Metric> out) {
    long deadline = System.nanoTime() + roundWait.toNanos();
    for (Source s : sources) {
      if (s.running == null) {
        s.running = CompletableFuture.supplyAsync(s.runner::run, (Executor) workers);
      }
    }
    for (Source s : sources) {
      try {
        long left = deadline - System.nanoTime();
        out.addAll(s.running.get(Math.max(0, left), TimeUnit.NANOSECONDS));
        s.running = null;
      } catch (TimeoutException e) {
        // still running: it lands in a later round
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        s.running = null;
        String msg = String.valueOf(e.getCause());
        if (!msg.equals(s.lastError)) {
          log.warn("{} failed: {}", s.name, msg);
          s.lastError = msg;
        }
      }
    }
  }

  /** One scrape: samples with job=<name>, then up and scrape_duration_seconds. */
  static List<Metric> scrape(ScrapeTarget t) {
    long t0 = System.nanoTime();
    List<Metric> out;
    boolean up;
    try {
      out = relabel(PromText.parse(fetch(t), t.maxSeries()), "job", t.name());
      up = true;
    } catch (IOException | IllegalArgumentException e) {
      log.debug("scrape {} ({}) failed: {}", t.name(), t.url(), e.toString());
      out = new ArrayList<>(2);
      up = false;
    }
    out.add(Metric.of("up", up ? 1 : 0, "job", t.name()));
    out.add(Metric.of("scrape_duration_seconds", (System.nanoTime() - t0) / 1e9, "job", t.name()));
    return out;
  }

  private static String fetch(ScrapeTarget t) throws IOException {
    HttpURLConnection c = (HttpURLConnection) t.url().toURL().openConnection();
    int ms = (int) Math.max(1, t.timeout().toMillis());
    c.setConnectTimeout(ms);
    c.setReadTimeout(ms);
    c.setInstanceFollowRedirects(false);
    c.setRequestProperty("Accept", "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1");
    c.setRequestProperty("User-Agent", "syslens-agent");
    try {
      int code = c.getResponseCode();
      if (code != 200) {
        throw new IOException(t.url() + ": HTTP " + code + " (expected: 200)");
      }
      try (InputStream in = c.getInputStream()) {
        return new String(readLimited(in, t.maxBytes(), t.url().toString()), StandardCharsets.UTF_8);
      }
    } finally {
      c.disconnect();
    }
  }

  /** Reads at most {@code max} bytes; IOException naming the source beyond that. */
  static byte[] readLimited(InputStream in, int max, String what) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(Math.min(max, 64 << 10));
    byte[] chunk = new byte[8192];
    int n;
    while ((n = in.read(chunk)) >= 0) {
      if (buf.size() + n > max) {
        throw new OutputTooLarge(what + ": more than " + max + " bytes (expected: at most " + max + ")");
      }
      buf.write(chunk, 0, n);
    }
    return buf.toByteArray();
  }

  /** Output past its limit. */
  static final class OutputTooLarge extends IOException {
    OutputTooLarge(String message) {
      super(message);
    }
  }

  /** Sets {@code name=value} on every sample; an existing one moves to {@code exported_<name>}. */
  static List<Metric> relabel(List<Metric> in, String name, String value) {
    List<Metric> out = new ArrayList<>(in.size() + 2);
    for (Metric m : in) {
      List<String> l = new ArrayList<>(m.labels().size() + 2);
      for (int i = 0; i < m.labels().size(); i += 2) {
        String k = m.labels().get(i);
        l.add(k.equals(name) ? "exported_" + name : k);
        l.add(m.labels().get(i + 1));
      }
      l.add(name);
      l.add(value);
      out.add(Metric.of(m.name(), m.value(), l.toArray(new String[0])));
    }
    return out;
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }
}
