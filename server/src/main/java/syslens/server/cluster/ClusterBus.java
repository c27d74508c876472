package syslens.server.cluster;

import java.util.function.BiConsumer;

/**
 * Messages between the server instances that share one metadata database: a configuration change
 * or a command issued on one instance reaches the agent whichever instance holds its stream.
 * Delivery is at most once and unordered across topics; after a lost connection {@link
 * #onResync} handlers run, since messages may have been missed meanwhile. Bodies are small (at
 * most {@link #MAX_BODY_BYTES} bytes of UTF-8): ids and short payloads, not bulk data.
 */
public interface ClusterBus extends AutoCloseable {
  /** The most one message's body may hold (PostgreSQL's NOTIFY payload is below 8,000 bytes). */
  int MAX_BODY_BYTES = 7_600;

  /** This instance's id (unique per process start). */
  String instanceId();

  /** False for the embedded store's bus, where this instance is the only one. */
  boolean clustered();

  /** Calls {@code handler(fromInstance, body)} for every message on {@code topic} from another instance. */
  void subscribe(String topic, BiConsumer<String, String> handler);

  /** Runs after each (re)connection: state kept from messages may be stale and should be reloaded. */
  void onResync(Runnable handler);

  /**
   * Sends {@code body} to every other instance; false when it could not be sent now (the bus is
   * down). Throws IllegalArgumentException for a body over {@link #MAX_BODY_BYTES}.
   */
  boolean publish(String topic, String body);

  /** Why the bus cannot deliver now, or null when it can. */
  String problem();

  /** Starts listening. */
  void start();

  @Override
  void close();

  /** The bus of a single instance: publishes nothing, never fails. */
  static ClusterBus local() {
    return new LocalBus();
  }

  /** Checks a body's size; returns its UTF-8 length. */
  static int checkBody(String topic, String body) {
    int n = body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (n > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("cluster message on " + topic + ": " + n + " bytes (expected: <= "
          + MAX_BODY_BYTES + " bytes; PostgreSQL NOTIFY payloads are limited)");
    }
    return n;
  }
}
