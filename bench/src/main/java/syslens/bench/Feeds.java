package syslens.bench;

import io.grpc.ManagedChannel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import syslens.agent.v1.Label;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Sample;
import syslens.agent.v1.Series;
import syslens.storage.Appender;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;
import syslens.tsdb.Tsdb;

/**
 * Feeds a {@link Fleet}'s samples to each store the same way: per host, batches of
 * {@code roundsPerBatch} rounds in time order (what an agent sends after a short outage), all hosts
 * advancing together so no store sees one host hours ahead of another.
 */
final class Feeds {
  private Feeds() {}

  /** Samples accepted and refused, and the wall time of a feed. */
  record Outcome(long accepted, long refused, double seconds) {
    double perSecond() {
      return accepted / seconds;
    }
  }

  /**
   * The server's CPU seconds and the samples stored when the first {@code batches} batches (the
   * warm-up: class loading and JIT compilation of the ingest path) were done, so a steady-state
   * rate is taken over the rest. Both stores get the same split.
   */
  static final class Warm {
    final int batches;
    private final java.util.function.DoubleSupplier cpu;
    double cpuAt = Double.NaN;
    long samplesAt;

    Warm(int batches, java.util.function.DoubleSupplier cpu) {
      this.batches = batches;
      this.cpu = cpu;
    }

    /** A sixth of the batches (at least one), or none when there are fewer than four. */
    static int batchesFor(Fleet f, int roundsPerBatch) {
      int nb = batches(f, roundsPerBatch);
      return nb < 4 ? 0 : Math.max(1, nb / 6);
    }

    void hit(long samples) {
      cpuAt = cpu.getAsDouble();
      samplesAt = samples;
    }

    boolean taken() {
      return !Double.isNaN(cpuAt);
    }

    /** Samples per server CPU-second after the warm-up. */
    double perCpuSecond(long samplesEnd, double cpuEnd) {
      return (samplesEnd - samplesAt) / (cpuEnd - cpuAt);
    }
  }

  static int batches(Fleet f, int roundsPerBatch) {
    return (f.rounds() + roundsPerBatch - 1) / roundsPerBatch;
  }

  /**
   * Appends into an in-process {@link Tsdb} (WAL on) through {@code Appender.append(Labels, ...)}
   * from {@code threads} threads, each owning every threads-th host, one commit per host batch.
   * Only appends and commits are timed: label sets are built first (an ingest path caches them per
   * stream) and each batch's values are computed for all hosts before that batch's appends start.
   */
  static Outcome inProcess(Fleet f, Tsdb tsdb, int threads, int roundsPerBatch) throws Exception {
    int n = f.seriesPerHost();
    Labels[][] labels = new Labels[f.hosts()][n];
    for (int h = 0; h < f.hosts(); h++) {
      for (int s = 0; s < n; s++) {
        labels[h][s] = f.labels(h, s);
      }
    }
    long accepted = 0;
    long refused = 0;
    long timedNanos = 0;
    double[][] values = new double[f.hosts()][n * roundsPerBatch];
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int b = 0; b < batches(f, roundsPerBatch); b++) {
        int r0 = b * roundsPerBatch;
        int r1 = Math.min(f.rounds(), r0 + roundsPerBatch);
        int width = r1 - r0;
        List<Future<?>> gen = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          int me = i;
          gen.add(pool.submit(() -> {
            for (int h = me; h < f.hosts(); h += threads) {
              for (int s = 0; s < n; s++) {
                for (int r = r0; r < r1; r++) {
                  values[h][s * width + r - r0] = f.value(h, s, r);
                }
              }
            }
          }));
        }
        for (Future<?> g : gen) {
          g.get();
        }
        long t0 = System.nanoTime();
        List<Future<long[]>> done = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          int me = i;
          done.add(pool.submit(() -> {
            long ok = 0;
            long bad = 0;
            for (int h = me; h < f.hosts(); h += threads) {
              Appender app = tsdb.appender();
              double[] v = values[h];
              for (int s = 0; s < n; s++) {
                for (int r = r0; r < r1; r++) {
                  if (app.append(labels[h][s], f.timestamp(r), v[s * width + r - r0]) == AppendStatus.OK) {
                    ok++;
                  } else {
                    bad++;
                  }
                }
              }
              app.commit();
            }
            return new long[] {ok, bad};
          }));
        }
        for (Future<long[]> d : done) {
          long[] c = d.get();
          accepted += c[0];
          refused += c[1];
        }
        timedNanos += System.nanoTime() - t0;
      }
    } finally {
      pool.shutdownNow();
    }
    return new Outcome(accepted, refused, timedNanos / 1e9);
  }

  /**
   * One agent stream per host to a running server, {@code channels} TLS connections shared by the
   * streams, at most {@code inflight} batches per agent awaiting their ack. Batches are built by
   * {@code threads} threads while the clock runs (as real agents build theirs).
   */
  static Outcome agents(Fleet f, Servers.SysLens server, int roundsPerBatch, int inflight, int threads, int channels,
      Progress progress, Warm warm) throws Exception {
    return agents(f, 0, server, roundsPerBatch, inflight, threads, channels, progress, warm);
  }

  /** As above for the fleet's hosts {@code from} and up only (new agents beside ones fed before). */
  static Outcome agents(Fleet f, int from, Servers.SysLens server, int roundsPerBatch, int inflight, int threads,
      int channels, Progress progress) throws Exception {
    return agents(f, from, server, roundsPerBatch, inflight, threads, channels, progress, null);
  }

  private static Outcome agents(Fleet f, int from, Servers.SysLens server, int roundsPerBatch, int inflight,
      int threads, int channels, Progress progress, Warm warm) throws Exception {
    return agents(f, from, f.hosts(), server, roundsPerBatch, inflight, threads, channels, progress, warm);
  }

  /** As above for the fleet's hosts {@code from <= h < to} only (one server of several). */
  static Outcome agents(Fleet f, int from, int to, Servers.SysLens server, int roundsPerBatch, int inflight,
      int threads, int channels, Progress progress, Warm warm) throws Exception {
    if (from < 0 || from >= to || to > f.hosts()) {
      throw new IllegalArgumentException("hosts " + from + ".." + to + " (expected: 0 <= from < to <= " + f.hosts() + ")");
    }
    int n = to - from;
    String token = server.enrollmentToken();
    List<ManagedChannel> chans = new ArrayList<>();
    List<AgentStream> streams = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int i = 0; i < channels; i++) {
        chans.add(AgentStream.channel(server.port(), server.caFile()));
      }
      for (int h = 0; h < n; h++) {
        streams.add(AgentStream.connect(chans.get(h % channels), token, Fleet.hostName(from + h)));
      }
      Label[][] seriesLabels = protoLabels(f);
      int nb = batches(f, roundsPerBatch);
      @SuppressWarnings("unchecked")
      CompletableFuture<Integer>[][] acks = new CompletableFuture[nb][n];
      CompletableFuture<?>[] chain = new CompletableFuture<?>[n];
      AtomicLong refused = new AtomicLong();
      long t0 = System.nanoTime();
      for (int b = 0; b < nb; b++) {
        if (warm != null && b == warm.batches && b > 0) {
          // Everything sent so far acknowledged, then the mark: no batch straddles it.
          for (int d = Math.max(0, b - inflight); d < b; d++) {
            CompletableFuture.allOf(acks[d]).get(10, TimeUnit.MINUTES);
          }
          warm.hit((long) b * roundsPerBatch * f.seriesPerHost() * n);
        }
        if (b >= inflight) {
          CompletableFuture.allOf(acks[b - inflight]).get(10, TimeUnit.MINUTES);
          progress.update((long) (b - inflight + 1) * roundsPerBatch * f.seriesPerHost() * n);
        }
        for (int h = 0; h < n; h++) {
          int host = from + h;
          int batch = b;
          AgentStream stream = streams.get(h);
          // Per host, batches go out in order: each send waits for the previous one to be handed over.
          CompletableFuture<CompletableFuture<Integer>> sent = (chain[h] == null
              ? CompletableFuture.completedFuture(null) : chain[h])
              .thenApplyAsync(x -> stream.send(batch(f, seriesLabels, host, batch, roundsPerBatch)), pool);
          chain[h] = sent;
          acks[b][h] = sent.thenCompose(x -> x).whenComplete((r, e) -> {
            if (r != null) {
              refused.addAndGet(r);
            }
          });
        }
      }
      for (int b = Math.max(0, nb - inflight); b < nb; b++) {
        CompletableFuture.allOf(acks[b]).get(10, TimeUnit.MINUTES);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long total = f.totalSamples() / f.hosts() * n;
      return new Outcome(total - refused.get(), refused.get(), secs);
    } finally {
      streams.forEach(AgentStream::close);
      pool.shutdownNow();
      for (ManagedChannel c : chans) {
        c.shutdown().awaitTermination(5, TimeUnit.SECONDS);
        c.shutdownNow();
      }
    }
  }

  private static Label[][] protoLabels(Fleet f) {
    Label[][] out = new Label[f.seriesPerHost()][];
    for (int s = 0; s < out.length; s++) {
      out[s] = f.seriesLabels(s).stream().map(l -> Label.newBuilder().setName(l[0]).setValue(l[1]).build())
          .toArray(Label[]::new);
    }
    return out;
  }

  static MetricBatch batch(Fleet f, Label[][] seriesLabels, int h, int b, int roundsPerBatch) {
    int r0 = b * roundsPerBatch;
    int r1 = Math.min(f.rounds(), r0 + roundsPerBatch);
    List<Label> tags = f.hostTags(h).stream().map(l -> Label.newBuilder().setName(l[0]).setValue(l[1]).build()).toList();
    MetricBatch.Builder mb = MetricBatch.newBuilder().setSeq(b + 1L);
    for (int s = 0; s < seriesLabels.length; s++) {
      // As the agent sends: labels with a ref in a stream's first batch, the ref alone after it.
      Series.Builder sb = mb.addSeriesBuilder().setRef(s + 1);
      if (b == 0) {
        for (Label l : seriesLabels[s]) {
          sb.addLabels(l);
        }
        sb.addAllLabels(tags);
      }
      for (int r = r0; r < r1; r++) {
        sb.addSamples(Sample.newBuilder().setTimestampMs(f.timestamp(r)).setValue(f.value(h, s, r)));
      }
    }
    return mb.build();
  }

  /** VictoriaMetrics's JSON-lines import, {@code concurrency} requests at a time, same batches. */
  static Outcome victoria(Fleet f, Servers.Victoria vm, int roundsPerBatch, int concurrency, Progress progress,
      Warm warm) throws Exception {
    return victoria(f, 0, vm, roundsPerBatch, concurrency, progress, warm);
  }

  /** As above for the fleet's hosts {@code from} and up only. */
  static Outcome victoria(Fleet f, int from, Servers.Victoria vm, int roundsPerBatch, int concurrency,
      Progress progress) throws Exception {
    return victoria(f, from, vm, roundsPerBatch, concurrency, progress, null);
  }

  private static Outcome victoria(Fleet f, int from, Servers.Victoria vm, int roundsPerBatch, int concurrency,
      Progress progress, Warm warm) throws Exception {
    if (from < 0 || from >= f.hosts()) {
      throw new IllegalArgumentException("from: " + from + " (expected: 0.." + (f.hosts() - 1) + ")");
    }
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    String[] seriesJson = new String[f.seriesPerHost()];
    for (int s = 0; s < seriesJson.length; s++) {
      StringBuilder sb = new StringBuilder();
      for (String[] l : f.seriesLabels(s)) {
        sb.append(sb.isEmpty() ? "" : ",").append(jsonString(l[0])).append(':').append(jsonString(l[1]));
      }
      seriesJson[s] = sb.toString();
    }
    long t0 = System.nanoTime();
    try {
      int nb = batches(f, roundsPerBatch);
      for (int b = 0; b < nb; b++) {
        List<Future<?>> wave = new ArrayList<>();
        for (int h = from; h < f.hosts(); h++) {
          int host = h;
          int batch = b;
          wave.add(pool.submit(() -> {
            vm.api.post("/api/v1/import", "application/json", importBody(f, seriesJson, host, batch, roundsPerBatch),
                Duration.ofMinutes(5));
            return null;
          }));
        }
        for (Future<?> w : wave) {
          w.get(10, TimeUnit.MINUTES);
        }
        if (warm != null && b + 1 == warm.batches) {
          warm.hit((long) (b + 1) * roundsPerBatch * f.seriesPerHost() * (f.hosts() - from));
        }
        progress.update((long) (b + 1) * roundsPerBatch * f.seriesPerHost() * (f.hosts() - from));
      }
    } finally {
      pool.shutdownNow();
    }
    return new Outcome(f.totalSamples() / f.hosts() * (f.hosts() - from), 0, (System.nanoTime() - t0) / 1e9);
  }

  private static byte[] importBody(Fleet f, String[] seriesJson, int h, int b, int roundsPerBatch) {
    int r0 = b * roundsPerBatch;
    int r1 = Math.min(f.rounds(), r0 + roundsPerBatch);
    StringBuilder host = new StringBuilder();
    for (String[] l : f.hostTags(h)) {
      host.append(',').append(jsonString(l[0])).append(':').append(jsonString(l[1]));
    }
    String hn = jsonString(Fleet.hostName(h));
    host.append(",\"instance\":").append(hn).append(",\"node\":").append(hn);
    StringBuilder ts = new StringBuilder();
    for (int r = r0; r < r1; r++) {
      ts.append(r == r0 ? "" : ",").append(f.timestamp(r));
    }
    StringBuilder sb = new StringBuilder(seriesJson.length * 200);
    for (int s = 0; s < seriesJson.length; s++) {
      sb.append("{\"metric\":{").append(seriesJson[s]).append(host).append("},\"values\":[");
      for (int r = r0; r < r1; r++) {
        sb.append(r == r0 ? "" : ",").append(f.value(h, s, r));
      }
      sb.append("],\"timestamps\":[").append(ts).append("]}\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The same samples as OpenMetrics text (for promtool), round by round; returns bytes written. */
  static long openMetrics(Fleet f, Path file) throws IOException {
    String[] prefix = new String[f.seriesPerHost() * f.hosts()];
    for (int h = 0; h < f.hosts(); h++) {
      for (int s = 0; s < f.seriesPerHost(); s++) {
        Labels l = f.labels(h, s);
        StringBuilder sb = new StringBuilder(l.metricName()).append('{');
        boolean first = true;
        for (int i = 0; i < l.size(); i++) {
          if (l.name(i).equals(Labels.METRIC_NAME)) {
            continue;
          }
          sb.append(first ? "" : ",").append(l.name(i)).append("=\"").append(escape(l.value(i))).append('"');
          first = false;
        }
        prefix[h * f.seriesPerHost() + s] = sb.append("} ").toString();
      }
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int r = 0; r < f.rounds(); r++) {
        String t = " " + PromApi.seconds(f.timestamp(r)) + "\n";
        for (int h = 0; h < f.hosts(); h++) {
          for (int s = 0; s < f.seriesPerHost(); s++) {
            w.write(prefix[h * f.seriesPerHost() + s]);
            w.write(Double.toString(f.value(h, s, r)));
            w.write(t);
          }
        }
      }
      w.write("# EOF\n");
    }
    return Files.size(file);
  }

  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String jsonString(String v) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Prints progress to stderr at most every 10 s. */
  static final class Progress {
    private final String what;
    private final long total;
    private final long t0 = System.nanoTime();
    private long lastPrint = System.nanoTime();

    Progress(String what, long total) {
      this.what = what;
      this.total = total;
    }

    synchronized void update(long done) {
      long now = System.nanoTime();
      if (now - lastPrint > 10_000_000_000L) {
        lastPrint = now;
        System.err.printf("  %s: %,d of %,d samples (%.0f%%), %.0f/s%n", what, done, total, 100.0 * done / total,
            done / ((now - t0) / 1e9));
      }
    }
  }
}
