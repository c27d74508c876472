package syslens.kafka;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.Storage;
import syslens.storage.StorageException;

/**
 * One member of the writers' consumer group: polls records, writes their samples to the store,
 * commits the store ({@link Appender#commit()}: durable), and only then commits the records'
 * offsets. A writer that dies between the two leaves its offsets behind: whoever takes the
 * partition writes those records again, which the store absorbs (the same sample again is a
 * no-op in the embedded TSDB; VictoriaMetrics needs {@code -dedup.minScrapeInterval}).
 * A store that refuses the commit (full disk, a remote store's buffer full) makes the writer seek
 * back and retry with backoff: nothing is skipped.
 */
final class KafkaWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaWriter.class);
  static final Duration POLL = Duration.ofMillis(200);
  static final long MAX_BACKOFF_MS = 5_000;

  private final Supplier<Consumer<byte[], byte[]>> consumers;
  private final KafkaBusSettings settings;
  private final Storage store;
  private final BusStats stats;
  private final Thread thread;
  private volatile boolean closing;
  private volatile boolean halted;
  private volatile int assigned;
  // Staging for one record, so a malformed record adds nothing.
  private Labels[] ls = new Labels[256];
  private long[] ts = new long[256];
  private double[] vs = new double[256];
  private int n;

  KafkaWriter(Supplier<Consumer<byte[], byte[]>> consumers, KafkaBusSettings settings, Storage store,
      BusStats stats, String name) {
    this.consumers = requireNonNull(consumers, "consumers");
    this.settings = requireNonNull(settings, "settings");
    this.store = requireNonNull(store, "store");
    this.stats = requireNonNull(stats, "stats");
    this.thread = Thread.ofPlatform().name(requireNonNull(name, "name")).daemon().unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  /**
   * Stops as an instance that dies would: after the store write in progress, before committing
   * its offsets, leaving the group without a commit (tests; an orderly {@link #close()} commits).
   */
  void halt() {
    halted = true;
  }

  boolean running() {
    return thread.isAlive();
  }

  /** Partitions the group has given this writer at its last rebalance. */
  int assignedPartitions() {
    return assigned;
  }

  private void run() {
    long backoff = 100;
    try (Consumer<byte[], byte[]> consumer = consumers.get()) {
      consumer.subscribe(List.of(settings.topic()), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
          assigned = 0;
        }

        @Override
        public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
          assigned = consumer.assignment().size();
        }
      });
      while (!closing) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        if (records.isEmpty()) {
          continue;
        }
        try {
          write(records);
          stats.storeProblem = null;
          backoff = 100;
        } catch (StorageException e) {
          stats.storeFailures.increment();
          stats.storeProblem = "kafka writer: store refused a write, retrying (" + e.getMessage() + ")";
          log.warn("{} records not written to the store, retrying in {} ms: {}", records.count(), backoff, e.getMessage());
          for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).getFirst().offset());
          }
          sleep(backoff);
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
          continue;
        }
        if (halted) {
          return; // closing the consumer commits nothing: enable.auto.commit is off
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
          offsets.put(tp, new OffsetAndMetadata(records.records(tp).getLast().offset() + 1));
        }
        try {
          consumer.commitSync(offsets);
          stats.commits.increment();
        } catch (KafkaException e) {
          // Written but not committed (a rebalance took the partition, Kafka down): the next owner
          // writes these records again, which the store's idempotent writes absorb.
          stats.commitFailures.increment();
          log.warn("offsets of {} written records not committed: {}", records.count(), e.getMessage());
        }
      }
    } catch (RuntimeException e) {
      log.error("kafka writer stopped: {}", e.toString(), e);
      stats.storeProblem = "kafka writer stopped: " + e;
    }
  }

  /** Writes every record's samples through one appender per source, then commits them all. */
  private void write(ConsumerRecords<byte[], byte[]> records) {
    Map<String, Appender> appenders = new LinkedHashMap<>();
    int[] byStatus = new int[AppendStatus.values().length];
    try {
      for (ConsumerRecord<byte[], byte[]> r : records) {
        stats.consumedRecords.increment();
        n = 0;
        try {
          RecordCodec.decode(r.value() == null ? new byte[0] : r.value(), this::stage);
        } catch (IllegalArgumentException e) {
          stats.invalidRecords.increment();
          log.warn("record {}-{}@{} skipped: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
          continue;
        }
        String source = source(r);
        Appender app = appenders.computeIfAbsent(source == null ? "" : source,
            s -> s.isEmpty() ? store.appender() : store.appender(s));
        for (int i = 0; i < n; i++) {
          byStatus[app.append(ls[i], ts[i], vs[i]).ordinal()]++;
        }
      }
      for (Appender app : appenders.values()) {
        app.commit();
      }
    } catch (RuntimeException e) {
      appenders.values().forEach(Appender::rollback);
      throw e;
    } finally {
      Arrays.fill(ls, 0, n, null);
      n = 0;
    }
    for (AppendStatus s : AppendStatus.values()) {
      if (s == AppendStatus.OK) {
        stats.writtenSamples.add(byStatus[s.ordinal()]);
      } else {
        stats.rejected[s.ordinal()].add(byStatus[s.ordinal()]);
      }
    }
  }

  private void stage(Labels labels, long t, double v) {
    if (n == ls.length) {
      ls = Arrays.copyOf(ls, n * 2);
      ts = Arrays.copyOf(ts, n * 2);
      vs = Arrays.copyOf(vs, n * 2);
    }
    ls[n] = labels;
    ts[n] = t;
    vs[n] = v;
    n++;
  }

  private static String source(ConsumerRecord<byte[], byte[]> r) {
    Header h = r.headers().lastHeader(Publisher.SOURCE_HEADER);
    return h == null || h.value() == null || h.value().length > Publisher.MAX_SOURCE_BYTES
        ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closing = true;
    }
  }

  /** Finishes the batch in progress (written and committed), leaves the group. */
  @Override
  public void close() {
    closing = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
