package syslens.kafka;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import syslens.storage.Labels;
import syslens.storage.StorageException;

/**
 * Sends staged samples to the topic: each series to partition {@code hash(series) mod
 * partitions}, so one series' samples stay in order on one partition; one record per partition
 * (split at {@link #MAX_RECORD_BYTES}); returns once Kafka acknowledged every record (acks=all).
 */
final class Publisher {
  /** Records stay well under Kafka's default 1 MiB message limit. */
  static final int MAX_RECORD_BYTES = 512 * 1024;
  static final String SOURCE_HEADER = "syslens-source";
  static final int MAX_SOURCE_BYTES = 256;

  private final Producer<byte[], byte[]> producer;
  private final KafkaBusSettings settings;
  private final BusStats stats;

  Publisher(Producer<byte[], byte[]> producer, KafkaBusSettings settings, BusStats stats) {
    this.producer = requireNonNull(producer, "producer");
    this.settings = requireNonNull(settings, "settings");
    this.stats = requireNonNull(stats, "stats");
  }

  /** The partition of a series among {@code partitions}: stable across processes and restarts. */
  static int partition(Labels labels, int partitions) {
    int h = labels.hashCode(); // Arrays.hashCode of the label strings: String.hashCode is specified
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return Math.floorMod(h, partitions);
  }

  /**
   * Publishes samples {@code 0 <= i < n} and waits for Kafka's acknowledgement.
   *
   * @throws StorageException when Kafka did not take every record within the publish timeout:
   *     nothing may be acknowledged (records already taken are stored again on a retry, which
   *     the store's idempotent writes absorb)
   */
  void publish(String source, Labels[] ls, long[] ts, double[] vs, int n) {
    long deadline = System.nanoTime() + settings.publishTimeout().toNanos();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try {
      int partitions = producer.partitionsFor(settings.topic()).size();
      int[] part = new int[n];
      int[] count = new int[partitions + 1];
      Labels last = null;
      int lastPart = 0;
      for (int i = 0; i < n; i++) {
        if (ls[i] != last) {
          last = ls[i];
          lastPart = partition(last, partitions);
        }
        part[i] = lastPart;
        count[lastPart + 1]++;
      }
      for (int p = 0; p < partitions; p++) {
        count[p + 1] += count[p];
      }
      int[] start = count.clone();
      int[] order = new int[n]; // indices grouped by partition, in their original order within each
      for (int i = 0; i < n; i++) {
        order[count[part[i]]++] = i;
      }
      RecordHeaders headers = new RecordHeaders();
      if (source != null) {
        byte[] b = source.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_SOURCE_BYTES) {
          headers.add(SOURCE_HEADER, b);
        }
      }
      for (int p = 0; p < partitions; p++) {
        RecordCodec.Writer w = null;
        int i = start[p];
        int end = start[p + 1];
        while (i < end) {
          int j = i + 1;
          Labels l = ls[order[i]];
          while (j < end && (ls[order[j]] == l || ls[order[j]].equals(l))) {
            j++;
          }
          if (w == null) {
            w = new RecordCodec.Writer();
          }
          w.series(l, ts, vs, order, i, j);
          if (w.size() >= MAX_RECORD_BYTES) {
            sent.add(producer.send(new ProducerRecord<>(settings.topic(), p, null, null, w.toByteArray(), headers)));
            w = null;
          }
          i = j;
        }
        if (w != null) {
          sent.add(producer.send(new ProducerRecord<>(settings.topic(), p, null, null, w.toByteArray(), headers)));
        }
      }
      for (Future<RecordMetadata> f : sent) {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      throw failed(n, e.getCause());
    } catch (KafkaException | TimeoutException e) {
      throw failed(n, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(n, e);
    }
    stats.published(sent.size(), n);
  }

  private StorageException failed(int n, Throwable cause) {
    String why = cause instanceof TimeoutException
        ? "no acknowledgement within " + settings.publishTimeout().toMillis() + " ms"
        : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    String msg = "kafka: " + n + " samples not published to topic " + settings.topic() + " at "
        + settings.bootstrapServers() + " (" + why + ")";
    stats.publishFailed(msg);
    return new StorageException(msg, cause);
  }
}
