package syslens.server.cluster;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.alerting.Alert;
import syslens.alerting.AlertSink;
import syslens.alerting.notify.Notifier;
import syslens.storage.Labels;

/**
 * The rules' {@link AlertSink} when several alerting instances share the database: alerts go to
 * the local notifier while this instance is the one that notifies, otherwise over the bus (topic
 * {@value #TOPIC}, JSON arrays within the bus's message limit) to the instance that is. A message
 * sent while no instance notifies (the seconds of a takeover) is lost; the instance that takes
 * over asks every instance to send its alerts again ({@link ClusterWork}), so none is lost for good.
 */
final class AlertRelay implements AlertSink {
  private static final Logger log = LoggerFactory.getLogger(AlertRelay.class);
  static final String TOPIC = "alerts";
  /** An annotation value longer than this is cut when the alert alone would not fit a message. */
  static final int CUT_ANNOTATION = 256;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ClusterBus bus;
  private final Notifier notifier;
  private final AtomicLong relayed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  AlertRelay(ClusterBus bus, Notifier notifier) {
    this.bus = requireNonNull(bus, "bus");
    this.notifier = requireNonNull(notifier, "notifier");
    bus.subscribe(TOPIC, (from, body) -> {
      if (notifier.active()) {
        notifier.send(decode(body));
      }
    });
  }

  @Override
  public void send(List<Alert> alerts) {
    if (notifier.active()) {
      notifier.send(alerts);
      return;
    }
    for (String body : encode(alerts, ClusterBus.MAX_BODY_BYTES, dropped)) {
      if (bus.publish(TOPIC, body)) {
        relayed.incrementAndGet();
      }
    }
  }

  /** Messages sent to the notifying instance. */
  long relayed() {
    return relayed.get();
  }

  /** Alerts too large for a message even with their annotations cut (logged). */
  long dropped() {
    return dropped.get();
  }

  /** JSON arrays of alerts, each at most {@code limit} bytes of UTF-8; alerts that cannot fit count in {@code dropped}. */
  static List<String> encode(List<Alert> alerts, int limit, AtomicLong dropped) {
    List<String> out = new ArrayList<>();
    StringBuilder batch = new StringBuilder("[");
    int bytes = 1;
    for (Alert a : alerts) {
      String one = json(a, false);
      int n = one.getBytes(StandardCharsets.UTF_8).length;
      if (n + 2 > limit) {
        one = json(a, true);
        n = one.getBytes(StandardCharsets.UTF_8).length;
        if (n + 2 > limit) {
          dropped.incrementAndGet();
          log.error("alert {}: {} bytes even with annotations cut (expected: <= {} to reach the notifying instance); "
              + "not relayed", a.name(), n, limit - 2);
          continue;
        }
      }
      if (bytes + n + 1 > limit && bytes > 1) {
        out.add(batch.append(']').toString());
        batch.setLength(1);
        bytes = 1;
      }
      if (bytes > 1) {
        batch.append(',');
        bytes++;
      }
      batch.append(one);
      bytes += n;
    }
    if (bytes > 1) {
      out.add(batch.append(']').toString());
    }
    return out;
  }

  private static String json(Alert a, boolean cut) {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode labels = o.putObject("l");
    a.labels().forEach(labels::put);
    ObjectNode ann = o.putObject("a");
    a.annotations().forEach((k, v) -> ann.put(k, cut && v.length() > CUT_ANNOTATION
        ? v.substring(0, CUT_ANNOTATION) + "…" : v));
    o.put("s", a.startsAt().toEpochMilli());
    o.put("e", a.endsAt().toEpochMilli());
    o.put("g", a.generatorUrl());
    o.put("v", a.value());
    return o.toString();
  }

  /** The alerts of one message; a malformed one yields none (logged). */
  static List<Alert> decode(String body) {
    List<Alert> out = new ArrayList<>();
    try {
      JsonNode arr = JSON.readTree(body);
      if (!(arr instanceof ArrayNode)) {
        throw new IllegalArgumentException("not a JSON array");
      }
      for (JsonNode o : arr) {
        Map<String, String> labels = new LinkedHashMap<>();
        o.path("l").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        Map<String, String> ann = new LinkedHashMap<>();
        o.path("a").properties().forEach(e -> ann.put(e.getKey(), e.getValue().asText()));
        out.add(new Alert(Labels.fromMap(labels), ann, Instant.ofEpochMilli(o.path("s").asLong()),
            Instant.ofEpochMilli(o.path("e").asLong()), o.path("g").asText(""), o.path("v").asDouble()));
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      log.warn("cluster bus: ignoring an unreadable alerts message of {} chars: {}", body.length(), e.getMessage());
      return List.of();
    }
    return out;
  }
}
