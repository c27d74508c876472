package syslens.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.query.Engine;
import syslens.report.Allocations.Allocation;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Queryable;
import syslens.storage.SelectHints;
import syslens.storage.SeriesSet;
import syslens.tsdb.Tsdb;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockWriter;
import syslens.tsdb.block.Blocks;
import syslens.tsdb.downsample.Downsampler;
import syslens.tsdb.retention.Retention;

/**
 * Long periods read the rollup tiers (issue #12): two years of 30-minute samples of two VMs held
 * only as what the engine keeps of them after two years, 1-hour rollups (written by the engine's
 * own downsampler, raw → 5 min → 1 h, and the raw and 5-minute blocks then deleted). A two-year
 * report over them gives the figures this test computes from the raw samples it generated
 * (daily means, nearest-rank p95, maxima, whole-period means); and every select of a two-year
 * report carries hints that let the engine answer from the 1-hour tier, a month's from the
 * 5-minute tier.
 */
class TiersTest {
  static final long MIN = 60_000L;
  static final long HOUR = 60 * MIN;
  static final long DAY = 24 * HOUR;
  static final int DAYS = 730;
  static final long START = Instant.parse("2024-11-01T00:00:00Z").toEpochMilli();
  static final long END = START + DAYS * DAY;
  /** Samples every 30 minutes, 1 minute past the half hour: never on an hour or day boundary. */
  static final long INTERVAL = 30 * MIN;
  static final int N = (int) (DAYS * DAY / INTERVAL);
  static final String[] METRICS = {"cpu_usage_ratio", "memory_usage_ratio", "disk_read_bytes_per_second",
      "disk_write_bytes_per_second", "net_received_bytes_per_second", "net_transmitted_bytes_per_second",
      "cpu_ready_ratio", "memory_swapped_bytes"};
  static final String[] VMS = {"vm-idle", "vm-busy"};

  @TempDir
  static Path tmp;
  static Tsdb tsdb;
  /** vm -> metric -> raw values (sample i at START + i * INTERVAL + 1 min). */
  static final Map<String, Map<String, double[]>> RAW = new TreeMap<>();

  static long t(int i) {
    return START + i * INTERVAL + MIN;
  }

  static double value(int vm, int m, int i) {
    double day = Math.sin(2 * Math.PI * (i % 48) / 48.0); // daily wave
    double slow = ((i / 48) % 37) / 37.0; // changes from day to day
    double cpu = vm == 0 ? 0.02 + 0.01 * day + 0.01 * slow : 0.85 + 0.05 * day + 0.08 * slow;
    return switch (m) {
      case 0 -> cpu;
      case 1 -> vm == 0 ? 0.05 + 0.02 * slow : 0.5 + 0.2 * slow;
      case 2 -> 1e4 * (1 + vm) * (1 + day) + 100 * slow;
      case 3 -> 5e3 * (2 - vm) + 1e3 * slow;
      case 4 -> 2e5 * cpu;
      case 5 -> 1e5 * cpu + 7 * (i % 5);
      case 6 -> vm == 0 ? 0.001 : 0.01 + 0.002 * slow;
      case 7 -> vm == 0 ? 0 : 1e6 * slow;
      default -> throw new AssertionError(m);
    };
  }

  @BeforeAll
  static void writeRollupsOnly() throws Exception {
    Path blocksDir = tmp.resolve("tsdb").resolve("blocks");
    Clock clock = Clock.fixed(Instant.ofEpochMilli(END), ZoneOffset.UTC);
    List<Labels> labels = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    for (int v = 0; v < VMS.length; v++) {
      for (int m = 0; m < METRICS.length; m++) {
        double[] vs = new double[N];
        for (int i = 0; i < N; i++) {
          vs[i] = value(v, m, i);
        }
        labels.add(Labels.of("__name__", "vsphere_vm_" + METRICS[m], "node", VMS[v], "vm", VMS[v],
            "vcenter", "vc1", "cluster", "c" + v));
        values.add(vs);
        RAW.computeIfAbsent(VMS[v], k -> new TreeMap<>()).put(METRICS[m], vs);
      }
    }
    Integer[] order = new Integer[labels.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> labels.get(a).compareTo(labels.get(b)));
    long[] ts = new long[N];
    Arrays.setAll(ts, TiersTest::t);
    try (Blocks blocks = Blocks.open(blocksDir)) {
      String rawId;
      try (BlockWriter w = BlockWriter.builder(blocksDir, START, END - 1).clock(clock).build()) {
        for (int k : order) {
          w.addSeries(labels.get(k), ts, values.get(k), N);
        }
        rawId = w.commit().id();
      }
      Block raw = blocks.add(blocksDir.resolve(rawId));
      Downsampler down = Downsampler.create(blocks, clock);
      String fiveId = down.downsample(raw, Retention.FIVE_MINUTES).id();
      Block five = blocks.blocks().stream().filter(b -> b.meta().id().equals(fiveId)).findFirst().orElseThrow();
      down.downsample(five, Retention.ONE_HOUR);
      blocks.replace(List.of(raw, five), List.of()); // as retention does after 30 days
    }
    tsdb = Tsdb.builder(tmp.resolve("tsdb")).clock(clock).maintenanceInterval(java.time.Duration.ofDays(365)).build();
    assertThat(tsdb.blockStats()).singleElement()
        .satisfies(s -> assertThat(s.resolution()).isEqualTo(Retention.ONE_HOUR));
  }

  @AfterAll
  static void close() {
    tsdb.close();
  }

  static Reports reports() {
    return Reports.builder(q -> Engine.builder(q).build())
        .allocations(n -> Optional.of(new Allocation(4, 8L << 30))).build();
  }

  static ReportRequest request(long from, long to) {
    return new ReportRequest(List.of(Kind.UTILIZATION, Kind.RIGHTSIZING), ReportScope.all(), Instant.ofEpochMilli(from),
        Instant.ofEpochMilli(to), "en", ZoneOffset.UTC);
  }

  /** Means of the raw samples of each day (the report's step for two years is one day). */
  static double[] dailyMeans(double[] v) {
    int perDay = (int) (DAY / INTERVAL);
    double[] out = new double[DAYS];
    for (int d = 0; d < DAYS; d++) {
      double s = 0;
      for (int i = d * perDay; i < (d + 1) * perDay; i++) {
        s += v[i];
      }
      out[d] = s / perDay;
    }
    return out;
  }

  static double[] plus(double[] a, double[] b) {
    double[] out = new double[a.length];
    Arrays.setAll(out, i -> a[i] + b[i]);
    return out;
  }

  static double[] raw(String vm, String metric) {
    return RAW.get(vm).get(metric);
  }

  static Map<String, List<Object>> rows(Report r, String titleKey) {
    Map<String, List<Object>> out = new TreeMap<>();
    r.sections().stream().filter(s -> s.titleKey().equals(titleKey)).findFirst().orElseThrow().rows()
        .forEach(row -> out.put((String) row.get(0), row));
    return out;
  }

  static double num(List<Object> row, int i) {
    return ((Number) row.get(i)).doubleValue();
  }

  @Test
  void compute_twoYearsHeldOnlyAsHourRollups_figuresEqualTheRawSamples() {
    Report r = reports().compute(request(START, END), tsdb);
    assertThat(r.stepMs()).isEqualTo(DAY);
    Map<String, List<Object>> util = rows(r, "section.utilization.nodes");
    assertThat(util).containsOnlyKeys(VMS);
    for (String vm : VMS) {
      double[] cpu = raw(vm, "cpu_usage_ratio");
      double[] mem = raw(vm, "memory_usage_ratio");
      double[] disk = plus(dailyMeans(raw(vm, "disk_read_bytes_per_second")),
          dailyMeans(raw(vm, "disk_write_bytes_per_second")));
      double[] net = plus(dailyMeans(raw(vm, "net_received_bytes_per_second")),
          dailyMeans(raw(vm, "net_transmitted_bytes_per_second")));
      double[] want = {
          GoldenTest.mean(dailyMeans(cpu)), GoldenTest.p95(dailyMeans(cpu)), GoldenTest.max(cpu),
          GoldenTest.mean(dailyMeans(mem)), GoldenTest.p95(dailyMeans(mem)), GoldenTest.max(mem),
          GoldenTest.mean(disk), GoldenTest.p95(disk), GoldenTest.max(disk),
          GoldenTest.mean(net), GoldenTest.p95(net), GoldenTest.max(net)};
      List<Object> row = util.get(vm);
      for (int k = 0; k < want.length; k++) {
        assertThat(num(row, 2 + k)).as(vm + " utilization column " + (2 + k)).isCloseTo(want[k], within(1e-9 * Math.max(1, want[k])));
      }
      assertThat(num(row, 14)).as("busiest hour (NaN for steps over an hour)").isNaN();
    }
    Map<String, List<Object>> sizing = rows(r, "section.rightsizing");
    assertThat(sizing.get("vm-idle").get(2)).isEqualTo("verdict.idle");
    assertThat(sizing.get("vm-busy").get(2)).isEqualTo("verdict.undersized");
    for (String vm : VMS) {
      List<Object> row = sizing.get(vm);
      assertThat(num(row, 4)).isCloseTo(GoldenTest.p95(dailyMeans(raw(vm, "cpu_usage_ratio"))), within(1e-12));
      assertThat(num(row, 5)).isCloseTo(GoldenTest.p95(dailyMeans(raw(vm, "memory_usage_ratio"))), within(1e-12));
      assertThat(num(row, 6)).isCloseTo(GoldenTest.mean(raw(vm, "cpu_ready_ratio")), within(1e-12));
      assertThat(num(row, 7)).isCloseTo(GoldenTest.mean(raw(vm, "memory_swapped_bytes")), within(1e-3));
    }
  }

  /** The hints of every select a report makes. */
  static List<SelectHints> hintsOf(long from, long to) {
    List<SelectHints> seen = new CopyOnWriteArrayList<>();
    Queryable recording = (mint, maxt) -> {
      Querier q = tsdb.querier(mint, maxt);
      return new Querier() {
        @Override
        public SeriesSet select(List<Matcher> matchers) {
          seen.add(SelectHints.raw(mint, maxt)); // no hints: the engine could only read raw samples
          return q.select(matchers);
        }

        @Override
        public SeriesSet select(SelectHints hints, List<Matcher> matchers) {
          seen.add(hints);
          return q.select(hints, matchers);
        }

        @Override
        public List<String> labelNames() {
          return q.labelNames();
        }

        @Override
        public List<String> labelValues(String name) {
          return q.labelValues(name);
        }

        @Override
        public void close() {
          q.close();
        }
      };
    };
    reports().compute(request(from, to), recording);
    return seen;
  }

  /**
   * A tier of resolution r answers a select whose step or range is at least 5 r, for the eight
   * functions rollups hold (docs/format/block.md#tiers).
   */
  static void assertTierAllowed(List<SelectHints> hints, long resolution) {
    assertThat(hints).isNotEmpty().allSatisfy(h -> {
      assertThat(h.forceRaw()).isFalse();
      assertThat(h.func()).isIn("avg_over_time", "max_over_time", "min_over_time", "sum_over_time",
          "count_over_time", "last_over_time", "rate", "increase");
      assertThat(Math.max(h.step(), h.range())).as("step or range of " + h).isGreaterThanOrEqualTo(5 * resolution);
    });
  }

  @Test
  void compute_twoYears_everySelectMayReadTheHourTier() {
    assertTierAllowed(hintsOf(START, END), Retention.ONE_HOUR);
  }

  @Test
  void compute_aMonth_everySelectMayReadTheFiveMinuteTier() {
    assertTierAllowed(hintsOf(END - 30 * DAY, END), Retention.FIVE_MINUTES);
  }
}
