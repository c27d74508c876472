package syslens.ingest;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last acknowledged batch sequence number of each node, so a batch the node resends (its ack
 * was lost with the connection, or it replays its buffer after a restart) is acknowledged again
 * without being stored twice. Sequence numbers count within an epoch the agent names in its Hello:
 * a new epoch (a new buffer, numbering from 1 again) starts afresh; epoch 0 (agents that do not
 * name one, whose numbering restarts with the process) is never deduplicated. Positions are kept
 * in memory and saved by {@link #flush} (the server calls it every second and at shutdown); one
 * lost after a crash costs a batch stored twice, which storage takes as identical samples.
 * Thread-safe.
 */
public final class Sequences {
  /** Where positions survive a restart (the server's metadata database). */
  public interface Store {
    Map<String, Position> load();

    void save(Map<String, Position> positions);
  }

  /** The last acknowledged {@code seq} of {@code epoch}. */
  public record Position(long epoch, long seq) {}

  private final Store store;
  private final Map<String, Position> positions;
  private final Map<String, Position> dirty = new ConcurrentHashMap<>();
  private final Counter duplicates;

  private Sequences(Store store, MeterRegistry meters) {
    this.store = requireNonNull(store, "store");
    this.positions = new ConcurrentHashMap<>(store.load());
    this.duplicates = requireNonNull(meters, "meters").counter("syslens.ingest.duplicate.batches");
  }

  public static Sequences create(Store store, MeterRegistry meters) {
    return new Sequences(store, meters);
  }

  /**
   * True when {@code node} already had batch {@code seq} of {@code epoch} (or a later one)
   * acknowledged: the caller acks it again and stores nothing. Counted.
   */
  public boolean isDuplicate(String node, long epoch, long seq) {
    if (epoch == 0) {
      return false;
    }
    Position p = positions.get(node);
    boolean dup = p != null && p.epoch() == epoch && seq <= p.seq();
    if (dup) {
      duplicates.increment();
    }
    return dup;
  }

  /** Batch {@code seq} of {@code epoch} was stored and is acknowledged now. */
  public void acked(String node, long epoch, long seq) {
    if (epoch == 0) {
      return;
    }
    Position now = positions.compute(node, (k, p) ->
        p != null && p.epoch() == epoch && p.seq() >= seq ? p : new Position(epoch, seq));
    dirty.put(node, now);
  }

  /** The position of {@code node}, or null. */
  public Position position(String node) {
    return positions.get(node);
  }

  /** Saves positions changed since the last flush; on failure they stay pending for the next. */
  public synchronized void flush() {
    if (dirty.isEmpty()) {
      return;
    }
    Map<String, Position> batch = new HashMap<>(dirty);
    store.save(batch);
    batch.forEach(dirty::remove);
  }
}
