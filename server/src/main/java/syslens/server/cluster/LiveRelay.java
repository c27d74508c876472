package syslens.server.cluster;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import syslens.server.live.LiveSample;

/**
 * The dashboard's live feed across instances: the headline numbers of the agents whose streams
 * this instance holds go over the bus (topic {@value #TOPIC}) to browsers on the other instances.
 * Samples are gathered for {@link #FLUSH_EVERY_MS} and sent as text lines (latest per node wins,
 * so memory is one sample per node held here), at most {@link #MAX_MESSAGES_PER_FLUSH} messages
 * per flush (the rest waits for the next); nothing is sent unless an instance with live clients
 * asked within {@link #WANT_FOR_MS} (topic {@value #WANT_TOPIC}, repeated while it has clients).
 * Added latency: up to one flush period plus a NOTIFY round trip.
 */
final class LiveRelay {
  static final String TOPIC = "live";
  static final String WANT_TOPIC = "live-want";
  static final long FLUSH_EVERY_MS = 500;
  static final int MAX_MESSAGES_PER_FLUSH = 20;
  static final long WANT_EVERY_MS = 5_000;
  static final long WANT_FOR_MS = 15_000;
  private static final int FIELDS = 10;

  private final ClusterBus bus;
  private final Consumer<LiveSample> local;
  private final IntSupplier localClients;
  private final LongSupplier millis;
  private final Map<String, LiveSample> waiting = new ConcurrentHashMap<>();
  private volatile long wantedUntil = Long.MIN_VALUE;
  private long lastWant = Long.MIN_VALUE;

  /** {@code local} publishes to this instance's browsers, {@code localClients} counts them. */
  LiveRelay(ClusterBus bus, Consumer<LiveSample> local, IntSupplier localClients, LongSupplier millis) {
    this.bus = requireNonNull(bus, "bus");
    this.local = requireNonNull(local, "local");
    this.localClients = requireNonNull(localClients, "localClients");
    this.millis = requireNonNull(millis, "millis");
    bus.subscribe(WANT_TOPIC, (from, body) -> wantedUntil = millis.getAsLong() + WANT_FOR_MS);
    bus.subscribe(TOPIC, (from, body) -> {
      if (localClients.getAsInt() > 0) {
        decode(body).forEach(local);
      }
    });
  }

  /** A sample of a node held here: to this instance's browsers now, to the others' with the next flush. */
  void publish(LiveSample s) {
    local.accept(s);
    if (wantedUntil > millis.getAsLong()) {
      waiting.put(s.nodeId(), s);
    }
  }

  /** Every {@link #FLUSH_EVERY_MS}: asks for samples while browsers are here, sends what waits. */
  void flush() {
    long now = millis.getAsLong();
    if (localClients.getAsInt() > 0 && (lastWant == Long.MIN_VALUE || now - lastWant >= WANT_EVERY_MS)) {
      if (bus.publish(WANT_TOPIC, "")) {
        lastWant = now;
      }
    }
    if (waiting.isEmpty()) {
      return;
    }
    if (wantedUntil <= now) {
      waiting.clear();
      return;
    }
    StringBuilder msg = new StringBuilder();
    int sent = 0;
    for (Iterator<LiveSample> it = waiting.values().iterator(); it.hasNext() && sent < MAX_MESSAGES_PER_FLUSH; ) {
      LiveSample s = it.next();
      String line = line(s);
      it.remove();
      if (line.length() * 3 > ClusterBus.MAX_BODY_BYTES) {
        continue; // a node id of kilobytes: never sent (ids are limited far below this)
      }
      if (msg.length() > 0 && (msg.length() + 1 + line.length()) * 3 > ClusterBus.MAX_BODY_BYTES) {
        bus.publish(TOPIC, msg.toString());
        sent++;
        msg.setLength(0);
      }
      if (msg.length() > 0) {
        msg.append('\n');
      }
      msg.append(line);
    }
    if (msg.length() > 0 && sent < MAX_MESSAGES_PER_FLUSH) {
      bus.publish(TOPIC, msg.toString());
    }
  }

  static String line(LiveSample s) {
    StringBuilder b = new StringBuilder(128).append(s.nodeId().replace('\t', ' ').replace('\n', ' '))
        .append('\t').append(s.t());
    for (Double d : new Double[] {s.cpuPercent(), s.memoryPercent(), s.load1(), s.netRxBytesPerSec(),
        s.netTxBytesPerSec(), s.diskReadBytesPerSec(), s.diskWriteBytesPerSec(), s.diskPercent()}) {
      b.append('\t');
      if (d != null) {
        b.append(d.doubleValue());
      }
    }
    return b.toString();
  }

  /** The samples of one message; malformed lines are skipped. */
  static List<LiveSample> decode(String body) {
    List<LiveSample> out = new ArrayList<>();
    for (String line : body.split("\n")) {
      String[] f = line.split("\t", -1);
      if (f.length != FIELDS) {
        continue;
      }
      try {
        Double[] v = new Double[8];
        for (int i = 0; i < 8; i++) {
          v[i] = f[i + 2].isEmpty() ? null : Double.valueOf(f[i + 2]);
        }
        out.add(new LiveSample(f[0], Long.parseLong(f[1]), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
      } catch (NumberFormatException e) {
        // skipped
      }
    }
    return out;
  }
}
