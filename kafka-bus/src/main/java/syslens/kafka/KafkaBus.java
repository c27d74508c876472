package syslens.kafka;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Querier;
import syslens.storage.Storage;

/**
 * Kafka between ingest and the store, as a {@link Storage}: appenders publish to the topic and
 * their {@code commit()} returns once Kafka acknowledged (acks=all, idempotent producer), so a
 * source is acknowledged only for what Kafka holds; reads go to the store. With
 * {@link Builder#writers(int)} &gt; 0 this instance also runs writers: members of the consumer
 * group that write what they consume to the store and commit offsets after the store's commit.
 * Closing stops the writers, flushes the producer and closes the store.
 */
public final class KafkaBus implements Storage {
  private static final Logger log = LoggerFactory.getLogger(KafkaBus.class);
  /** How long a health check waits for the cluster. */
  static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final KafkaBusSettings settings;
  private final Storage store;
  private final BusStats stats = new BusStats();
  private final KafkaProducer<byte[], byte[]> producer;
  private final Publisher publisher;
  private final Admin admin;
  private final List<KafkaWriter> writers;
  private volatile boolean topicReady;
  private volatile String clusterProblem;
  private final java.util.concurrent.atomic.AtomicBoolean checking = new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicLong checks = new java.util.concurrent.atomic.AtomicLong();

  private KafkaBus(Builder b) {
    this.settings = b.settings;
    this.store = b.store;
    String id = "syslens-" + ProcessHandle.current().pid() + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    this.admin = Admin.create(clientProperties(id + "-admin"));
    this.producer = new KafkaProducer<>(producerProperties(id), new ByteArraySerializer(), new ByteArraySerializer());
    this.publisher = new Publisher(producer, settings, stats);
    ensureTopic();
    java.util.ArrayList<KafkaWriter> ws = new java.util.ArrayList<>();
    for (int i = 0; i < b.writers; i++) {
      String name = id + "-writer-" + i;
      ws.add(new KafkaWriter(() -> new KafkaConsumer<>(consumerProperties(name), new ByteArrayDeserializer(),
          new ByteArrayDeserializer()), settings, store, stats, "syslens-kafka-writer-" + i));
    }
    this.writers = List.copyOf(ws);
    writers.forEach(KafkaWriter::start);
    log.info("ingest bus: {}, {} writer(s) on this instance", settings, writers.size());
  }

  public static Builder builder(KafkaBusSettings settings, Storage store) {
    return new Builder(settings, store);
  }

  /** Options of {@link KafkaBus}. */
  public static final class Builder {
    private final KafkaBusSettings settings;
    private final Storage store;
    private int writers;

    private Builder(KafkaBusSettings settings, Storage store) {
      this.settings = requireNonNull(settings, "settings");
      this.store = requireNonNull(store, "store");
    }

    /** Consumers this instance runs in the writers' group (0: an ingest-only instance). */
    public Builder writers(int n) {
      if (n < 0 || n > 64) {
        throw new IllegalArgumentException("kafka writers: " + n + " (expected: 0-64)");
      }
      this.writers = n;
      return this;
    }

    /** Connects (the cluster may be down: publishing then fails and {@link #problem()} says why). */
    public KafkaBus build() {
      return new KafkaBus(this);
    }
  }

  /** The store the writers write to and reads come from. */
  public Storage store() {
    return store;
  }

  public KafkaBusSettings settings() {
    return settings;
  }

  @Override
  public Appender appender() {
    return new KafkaAppender(publisher, null);
  }

  @Override
  public Appender appender(String source) {
    return new KafkaAppender(publisher, requireNonNull(source, "source"));
  }

  @Override
  public Querier querier(long mint, long maxt) {
    return store.querier(mint, maxt);
  }

  /**
   * Asks the cluster for its brokers (answer within {@link #CHECK_TIMEOUT}) and creates the topic
   * if it is still missing; remembers what failed for {@link #problem()}. Does not wait: run it on
   * a schedule ({@link #checks()} counts the answers).
   */
  public void check() {
    if (!checking.compareAndSet(false, true)) {
      return;
    }
    admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) CHECK_TIMEOUT.toMillis())).nodes()
        .whenComplete((nodes, error) -> {
          if (error == null) {
            clusterProblem = nodes.isEmpty() ? "kafka: no broker in the cluster at " + settings.bootstrapServers() : null;
          } else {
            Throwable e = error instanceof ExecutionException || error instanceof CompletionException
                ? error.getCause() : error;
            clusterProblem = e instanceof org.apache.kafka.common.errors.TimeoutException
                ? "kafka: no broker answered within " + CHECK_TIMEOUT.toSeconds() + " s at " + settings.bootstrapServers()
                : "kafka: " + settings.bootstrapServers() + ": " + e.getMessage();
          }
          checks.incrementAndGet();
          checking.set(false);
          if (error == null && !topicReady) {
            Thread.ofVirtual().name("syslens-kafka-topic").start(this::ensureTopic);
          }
        });
  }

  /** Health checks answered so far. */
  public long checks() {
    return checks.get();
  }

  /**
   * Why samples cannot be taken now (the cluster does not answer, the last publish failed, the
   * topic is missing, a writer cannot write to the store), or null.
   */
  public String problem() {
    String p = clusterProblem;
    if (p == null) {
      p = stats.publishProblem;
    }
    if (p == null && !topicReady) {
      p = "kafka: topic " + settings.topic() + " not created yet";
    }
    if (p == null) {
      p = stats.storeProblem;
    }
    return p;
  }

  /** Counters since start. */
  public record Stats(long publishedRecords, long publishedSamples, long publishFailures, long consumedRecords,
      long writtenSamples, Map<AppendStatus, Long> rejectedSamples, long invalidRecords, long storeFailures,
      long commits, long commitFailures) {}

  public Stats stats() {
    Map<AppendStatus, Long> rejected = new EnumMap<>(AppendStatus.class);
    for (AppendStatus s : AppendStatus.values()) {
      if (s != AppendStatus.OK) {
        rejected.put(s, stats.rejected[s.ordinal()].sum());
      }
    }
    return new Stats(stats.publishedRecords.sum(), stats.publishedSamples.sum(), stats.publishFailures.sum(),
        stats.consumedRecords.sum(), stats.writtenSamples.sum(), rejected, stats.invalidRecords.sum(),
        stats.storeFailures.sum(), stats.commits.sum(), stats.commitFailures.sum());
  }

  /** This instance's writers (tests stop one as a dying instance would). */
  List<KafkaWriter> writers() {
    return writers;
  }

  private void ensureTopic() {
    try {
      admin.createTopics(List.of(new NewTopic(settings.topic(), Optional.of(settings.partitions()), Optional.empty())))
          .all().get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      log.info("kafka: created topic {} with {} partitions", settings.topic(), settings.partitions());
      topicReady = true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        topicReady = true;
      } else {
        log.warn("kafka: topic {} not created: {}", settings.topic(), e.getCause().getMessage());
      }
    } catch (TimeoutException e) {
      log.warn("kafka: topic {} not created: no answer within {} s from {}", settings.topic(),
          CHECK_TIMEOUT.toSeconds(), settings.bootstrapServers());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Properties clientProperties(String clientId) {
    Properties p = new Properties();
    p.putAll(settings.clientProperties());
    p.put("bootstrap.servers", settings.bootstrapServers());
    p.put("client.id", clientId);
    return p;
  }

  private Properties producerProperties(String id) {
    Properties p = clientProperties(id + "-producer");
    long timeout = settings.publishTimeout().toMillis();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5"); // ordered under idempotence
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5"); // batches concurrent sessions' records together
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(settings.bufferBytes()));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout)); // full buffer, no metadata
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(500, timeout - 10)));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeout + 5));
    return p;
  }

  private Properties consumerProperties(String clientId) {
    Properties p = clientProperties(clientId);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
    // A writer that dies without leaving the group hands its partitions over within 10 s, unless
    // --kafka-property session.timeout.ms says otherwise (the brokers' group.min.session.timeout.ms
    // bounds it from below; heartbeats then go at a third of it).
    p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    String session = p.getProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG).strip();
    long sessionMs;
    try {
      sessionMs = Long.parseLong(session);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("kafka property session.timeout.ms: \"" + (session.length() > 16
          ? session.substring(0, 16) + "..." : session) + "\" (expected: milliseconds, e.g. 10000)", e);
    }
    p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Long.toString(Math.max(100, Math.min(3000,
        sessionMs / 3))));
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    return p;
  }

  /** Stops the writers (each finishes and commits its batch), flushes the producer, closes the store. */
  @Override
  public void close() {
    writers.forEach(KafkaWriter::close);
    try {
      producer.close(settings.publishTimeout());
    } finally {
      admin.close(Duration.ofSeconds(1));
      store.close();
    }
  }
}
