package syslens.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.ingest.IngestPipeline;
import syslens.ingest.SeriesInput;
import syslens.ingest.SessionOptions;
import syslens.ingest.Source;
import syslens.ingest.WriteResult;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.Series;
import syslens.storage.Storage;
import syslens.storage.StorageException;
import syslens.tsdb.Tsdb;

class KafkaBusTest {
  static final int SERIES = 200;
  static final int ROUNDS = 30;

  @TempDir
  static Path dir;
  static Broker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = Broker.start(dir.resolve("kafka"));
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * Ingest publishes through Kafka to two writers sharing the store; one writer dies after
   * writing a poll to the store and before committing its offsets. Every sample acknowledged to
   * the source is in the store once, with its value, though some records reached the store twice.
   */
  @Test
  void write_writerDiesBetweenStoreWriteAndOffsetCommit_everyAckedSampleStoredOnce() {
    KafkaBusSettings settings = KafkaBusSettings.of(broker.bootstrapServers()).withTopic("samples-a")
        .withPartitions(6).withGroup("writers-a");
    try (Tsdb tsdb = Tsdb.builder(dir.resolve("tsdb")).build()) {
      java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
      KafkaBus[] a = new KafkaBus[1];
      Storage storeA = new SharedStore(tsdb, () -> {
        if (armed.get()) {
          a[0].writers().getFirst().halt(); // written to the store: now die before the offset commit
        }
      });
      a[0] = KafkaBus.builder(settings, storeA).writers(1).build();
      try (KafkaBus writerB = KafkaBus.builder(settings, new SharedStore(tsdb, () -> {})).writers(1).build();
          KafkaBus ingest = KafkaBus.builder(settings, new SharedStore(tsdb, () -> {})).build()) {
        KafkaBus writerA = a[0];
        // Both writers in the group with partitions of their own, or A may never see a record.
        await().atMost(Duration.ofSeconds(30)).until(() -> writerA.writers().getFirst().assignedPartitions() > 0
            && writerB.writers().getFirst().assignedPartitions() > 0);
        IngestPipeline pipeline = IngestPipeline.builder(ingest).build();
        Source source = new Source(Source.REMOTE_WRITE, "test");
        long t0 = System.currentTimeMillis() - 60_000;
        int acked = 0;
        for (int round = 0; round < ROUNDS; round++) {
          WriteResult r = pipeline.write(source, SessionOptions.builder().build(), new Round(t0 + round * 1000L, round));
          assertThat(r.stored()).as(r.reason()).isTrue();
          acked += r.accepted();
          if (round == ROUNDS / 2) {
            armed.set(true); // A dies after its next store write, from the rounds still to come
          }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !writerA.writers().getFirst().running());
        assertThat(acked).isEqualTo(SERIES * ROUNDS);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
            .until(() -> stored(tsdb, t0).values().stream().mapToInt(List::size).sum() >= SERIES * ROUNDS);
        Map<String, List<double[]>> stored = stored(tsdb, t0);
        assertThat(stored).hasSize(SERIES);
        for (Map.Entry<String, List<double[]>> e : stored.entrySet()) {
          int series = Integer.parseInt(e.getKey());
          assertThat(e.getValue()).as("series %d", series).hasSize(ROUNDS);
          for (int round = 0; round < ROUNDS; round++) {
            assertThat(e.getValue().get(round)).containsExactly(t0 + round * 1000L, value(series, round));
          }
        }
        // The dead writer's last poll was stored but not committed: writer B consumed it again.
        long consumed = writerA.stats().consumedRecords() + writerB.stats().consumedRecords();
        assertThat(consumed).isGreaterThan(ingest.stats().publishedRecords());
        assertThat(writerB.stats().writtenSamples()).isPositive();
        assertThat(writerA.stats().writtenSamples()).isPositive();
        assertThat(writerB.problem()).isNull();
      } finally {
        a[0].close();
      }
    }
  }

  @Test
  void commit_kafkaDown_refusesNamingKafkaAndReportsProblem() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // nothing listens there once closed
    }
    KafkaBusSettings settings = KafkaBusSettings.of("127.0.0.1:" + port).withTopic("samples-down")
        .withPublishTimeout(Duration.ofSeconds(1));
    try (Tsdb tsdb = Tsdb.builder(dir.resolve("tsdb-down")).build();
        KafkaBus bus = KafkaBus.builder(settings, new SharedStore(tsdb, () -> {})).build()) {
      Appender app = bus.appender("node-1");
      app.append(Labels.of("__name__", "up", "node", "node-1"), 1000, 1);
      assertThatThrownBy(app::commit).isInstanceOf(StorageException.class)
          .hasMessageContaining("kafka: 1 samples not published to topic samples-down at 127.0.0.1:" + port);
      bus.check();
      await().atMost(Duration.ofSeconds(10)).until(() -> bus.checks() > 0);
      assertThat(bus.problem()).startsWith("kafka: no broker answered within 2 s at 127.0.0.1:" + port);
      assertThat(bus.stats().publishFailures()).isEqualTo(1);

      IngestPipeline pipeline = IngestPipeline.builder(bus).build();
      WriteResult r = pipeline.write(new Source(Source.REMOTE_WRITE, "test"), SessionOptions.builder().build(),
          new Round(1000, 0));
      assertThat(r.status()).isEqualTo(WriteResult.Status.UNAVAILABLE);
      assertThat(r.reason()).contains("kafka: " + SERIES + " samples not published");
    }
  }

  static double value(int series, int round) {
    return series * 1000 + round;
  }

  /** Samples since t0 per value of label {@code series}: {timestamp, value}. */
  static Map<String, List<double[]>> stored(Tsdb tsdb, long t0) {
    Map<String, List<double[]>> out = new TreeMap<>();
    try (Querier q = tsdb.querier(t0, t0 + ROUNDS * 1000L)) {
      for (Series s : q.select(List.of(Matcher.equal("__name__", "kafka_test")))) {
        List<double[]> samples = new ArrayList<>();
        SampleIterator it = s.iterator();
        while (it.next()) {
          samples.add(new double[] {it.timestamp(), it.value()});
        }
        out.put(s.labels().get("series"), samples);
      }
    }
    return out;
  }

  /** One sample for each of {@link #SERIES} series. */
  record Round(long t, int round) implements SeriesInput {
    @Override
    public int seriesCount() {
      return SERIES;
    }

    @Override
    public Object key(int series) {
      return series;
    }

    @Override
    public int labelCount(int series) {
      return 2;
    }

    @Override
    public String labelName(int series, int label) {
      return label == 0 ? "__name__" : "series";
    }

    @Override
    public String labelValue(int series, int label) {
      return label == 0 ? "kafka_test" : Integer.toString(series);
    }

    @Override
    public int sampleCount(int series) {
      return 1;
    }

    @Override
    public long timestamp(int series, int sample) {
      return t;
    }

    @Override
    public double value(int series, int sample) {
      return KafkaBusTest.value(series, round);
    }
  }

  /** The test's one store seen by each bus: closing a bus leaves it open; runs a hook after each commit. */
  record SharedStore(Tsdb tsdb, Runnable afterCommit) implements Storage {
    @Override
    public Appender appender() {
      return wrap(tsdb.appender());
    }

    @Override
    public Appender appender(String source) {
      return wrap(tsdb.appender(source));
    }

    private Appender wrap(Appender a) {
      return new Appender() {
        @Override
        public syslens.storage.AppendStatus append(Labels labels, long timestampMs, double value) {
          return a.append(labels, timestampMs, value);
        }

        @Override
        public void commit() {
          a.commit();
          afterCommit.run();
        }

        @Override
        public void rollback() {
          a.rollback();
        }
      };
    }

    @Override
    public Querier querier(long mint, long maxt) {
      return tsdb.querier(mint, maxt);
    }

    @Override
    public void close() {}
  }
}
