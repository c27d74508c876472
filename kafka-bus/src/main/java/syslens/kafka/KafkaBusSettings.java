package syslens.kafka;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the ingest bus is and how it behaves.
 *
 * @param bootstrapServers {@code host:port,...} of the Kafka cluster
 * @param topic the samples topic (created with {@code partitions} partitions if missing)
 * @param partitions partition count used when this instance creates the topic; an existing topic
 *     keeps its own (each series goes to {@code hash(series) mod} the topic's count)
 * @param group the writers' consumer group
 * @param publishTimeout how long one batch may wait for Kafka (buffer space, metadata, the
 *     acknowledgement of every replica) before the batch is refused
 * @param bufferBytes the producer's send buffer (records waiting for Kafka), bounded
 * @param clientProperties extra Kafka client properties (security, SASL...), given to producer,
 *     consumer and admin client as they are; values never printed
 */
public record KafkaBusSettings(String bootstrapServers, String topic, int partitions, String group,
    Duration publishTimeout, long bufferBytes, Map<String, String> clientProperties) {
  public static final String DEFAULT_TOPIC = "syslens-samples";
  public static final String DEFAULT_GROUP = "syslens-writers";
  public static final int DEFAULT_PARTITIONS = 12;
  public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);
  public static final long DEFAULT_BUFFER_BYTES = 32L << 20;

  public KafkaBusSettings {
    if (requireNonNull(bootstrapServers, "bootstrapServers").isBlank()) {
      throw new IllegalArgumentException("kafka bootstrap servers: empty (expected: host:port[,host:port...])");
    }
    if (requireNonNull(topic, "topic").isBlank() || topic.length() > 249 || !topic.matches("[a-zA-Z0-9._-]+")) {
      throw new IllegalArgumentException("kafka topic: \"" + topic + "\" (expected: 1-249 of a-z A-Z 0-9 . _ -)");
    }
    if (partitions < 1 || partitions > 10_000) {
      throw new IllegalArgumentException("kafka partitions: " + partitions + " (expected: 1-10000)");
    }
    if (requireNonNull(group, "group").isBlank()) {
      throw new IllegalArgumentException("kafka group: empty (expected: a consumer group id)");
    }
    requireNonNull(publishTimeout, "publishTimeout");
    if (publishTimeout.compareTo(Duration.ofSeconds(1)) < 0 || publishTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("kafka publish timeout: " + publishTimeout + " (expected: 1 s to 5 min)");
    }
    if (bufferBytes < (1 << 20)) {
      throw new IllegalArgumentException("kafka buffer: " + bufferBytes + " bytes (expected: >= 1 MiB)");
    }
    clientProperties = Map.copyOf(requireNonNull(clientProperties, "clientProperties"));
  }

  /** Defaults for everything but the servers. */
  public static KafkaBusSettings of(String bootstrapServers) {
    return new KafkaBusSettings(bootstrapServers, DEFAULT_TOPIC, DEFAULT_PARTITIONS, DEFAULT_GROUP,
        DEFAULT_PUBLISH_TIMEOUT, DEFAULT_BUFFER_BYTES, Map.of());
  }

  public KafkaBusSettings withTopic(String t) {
    return new KafkaBusSettings(bootstrapServers, t, partitions, group, publishTimeout, bufferBytes, clientProperties);
  }

  public KafkaBusSettings withPartitions(int p) {
    return new KafkaBusSettings(bootstrapServers, topic, p, group, publishTimeout, bufferBytes, clientProperties);
  }

  public KafkaBusSettings withGroup(String g) {
    return new KafkaBusSettings(bootstrapServers, topic, partitions, g, publishTimeout, bufferBytes, clientProperties);
  }

  public KafkaBusSettings withPublishTimeout(Duration d) {
    return new KafkaBusSettings(bootstrapServers, topic, partitions, group, d, bufferBytes, clientProperties);
  }

  public KafkaBusSettings withBufferBytes(long b) {
    return new KafkaBusSettings(bootstrapServers, topic, partitions, group, publishTimeout, b, clientProperties);
  }

  public KafkaBusSettings withClientProperties(Map<String, String> p) {
    return new KafkaBusSettings(bootstrapServers, topic, partitions, group, publishTimeout, bufferBytes, p);
  }

  /** Client property names only: their values may be credentials. */
  @Override
  public String toString() {
    return "kafka " + bootstrapServers + " topic " + topic + " (" + partitions + " partitions) group " + group
        + ", publish timeout " + publishTimeout + ", buffer " + bufferBytes + " B"
        + (clientProperties.isEmpty() ? "" : ", client properties " + new TreeMap<>(clientProperties).keySet());
  }
}
