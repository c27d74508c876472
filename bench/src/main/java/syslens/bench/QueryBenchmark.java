package syslens.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import syslens.query.Engine;
import syslens.query.Matrix;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Queryable;
import syslens.storage.SampleIterator;
import syslens.storage.Series;
import syslens.storage.SeriesSet;

/**
 * Range queries over one hour at a 60 s step, the dashboard panels of issue #6: {@code hosts}
 * node_exporter-like hosts of 250 series each (16 CPU counters, load, memory, up, the rest
 * filler), one sample every 10 s, in a plain in-memory {@link Queryable} (arrays, no
 * compression), so the figures are the engine's own cost.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar QueryBenchmark -p hosts=1000}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgs = {"-Xmx6g"})
@State(Scope.Benchmark)
public class QueryBenchmark {
  static final long T0 = 1_700_000_000_000L;
  static final long INTERVAL = 10_000;
  static final int POINTS = 361;
  static final int SERIES_PER_HOST = 250;

  @Param({"100"})
  public int hosts;

  Engine engine;

  @Setup(Level.Trial)
  public void setUp() {
    engine = Engine.builder(ArrayStorage.create(hosts)).build();
  }

  private Matrix range(String q) {
    return engine.rangeQuery(q, T0, T0 + 3_600_000, 60_000);
  }

  @Benchmark
  public Matrix sumByModeRate() {
    return range("sum by (mode) (rate(node_cpu_seconds_total[5m]))");
  }

  @Benchmark
  public Matrix topkRate() {
    return range("topk(10, rate(node_cpu_seconds_total[5m]))");
  }

  @Benchmark
  public Matrix gaugeRatio() {
    return range("node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes");
  }

  @Benchmark
  public Matrix avgLoad() {
    return range("avg(node_load1)");
  }

  @Benchmark
  public Matrix countUp() {
    return range("count(up)");
  }

  /** Sorted series with values in arrays sharing one timestamp grid. */
  static final class ArrayStorage implements Queryable {
    private final List<Labels> labels = new ArrayList<>();
    private final List<double[]> values = new ArrayList<>();
    private final long[] ts = new long[POINTS];

    static ArrayStorage create(int hosts) {
      ArrayStorage s = new ArrayStorage();
      for (int i = 0; i < POINTS; i++) {
        s.ts[i] = T0 + i * INTERVAL;
      }
      Random r = new Random(42);
      String[] modes = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
      List<Labels> all = new ArrayList<>();
      for (int h = 0; h < hosts; h++) {
        String inst = "host-" + h + ":9100";
        for (int cpu = 0; cpu < 2; cpu++) {
          for (String m : modes) {
            all.add(Labels.of("__name__", "node_cpu_seconds_total", "instance", inst, "job",
                "node", "cpu", Integer.toString(cpu), "mode", m));
          }
        }
        all.add(Labels.of("__name__", "node_load1", "instance", inst, "job", "node"));
        all.add(Labels.of("__name__", "node_memory_MemAvailable_bytes", "instance", inst,
            "job", "node"));
        all.add(Labels.of("__name__", "node_memory_MemTotal_bytes", "instance", inst, "job",
            "node"));
        all.add(Labels.of("__name__", "up", "instance", inst, "job", "node"));
        for (int f = all.size() % SERIES_PER_HOST; f < SERIES_PER_HOST; f++) {
          all.add(Labels.of("__name__", "node_filler_" + (f % 23), "instance", inst, "job",
              "node", "index", Integer.toString(f)));
        }
      }
      all.sort(null);
      for (Labels l : all) {
        double[] v = new double[POINTS];
        boolean counter = l.metricName().endsWith("_total");
        double x = counter ? r.nextInt(100_000) : 1 + r.nextInt(1_000);
        for (int i = 0; i < POINTS; i++) {
          x = counter ? x + r.nextInt(1_000) / 100.0 : Math.max(0, x + r.nextGaussian());
          v[i] = x;
        }
        s.labels.add(l);
        s.values.add(v);
      }
      return s;
    }

    @Override
    public Querier querier(long mint, long maxt) {
      return new Querier() {
        @Override
        public SeriesSet select(List<Matcher> matchers) {
          List<Series> out = new ArrayList<>();
          for (int i = 0; i < labels.size(); i++) {
            Labels l = labels.get(i);
            boolean ok = true;
            for (Matcher m : matchers) {
              ok &= m.matches(l);
            }
            if (ok) {
              double[] v = values.get(i);
              out.add(new Series() {
                @Override
                public Labels labels() {
                  return l;
                }

                @Override
                public SampleIterator iterator() {
                  return new ArrayIterator(ts, v, mint, maxt);
                }
              });
            }
          }
          return SeriesSet.of(out);
        }

        @Override
        public List<String> labelNames() {
          return List.of();
        }

        @Override
        public List<String> labelValues(String name) {
          return List.of();
        }

        @Override
        public void close() {}
      };
    }
  }

  static final class ArrayIterator implements SampleIterator {
    private final long[] ts;
    private final double[] vs;
    private final long maxt;
    private int i;

    ArrayIterator(long[] ts, double[] vs, long mint, long maxt) {
      this.ts = ts;
      this.vs = vs;
      this.maxt = maxt;
      this.i = -1;
      while (i + 1 < ts.length && ts[i + 1] < mint) {
        i++;
      }
    }

    @Override
    public boolean next() {
      i++;
      return i < ts.length && ts[i] <= maxt;
    }

    @Override
    public boolean seek(long t) {
      if (i < 0) {
        i = 0;
      }
      while (i < ts.length && ts[i] < t) {
        i++;
      }
      return i < ts.length && ts[i] <= maxt;
    }

    @Override
    public long timestamp() {
      return ts[i];
    }

    @Override
    public double value() {
      return vs[i];
    }
  }
}
