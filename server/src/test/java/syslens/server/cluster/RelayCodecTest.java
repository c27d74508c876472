package syslens.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import syslens.alerting.Alert;
import syslens.server.live.LiveSample;
import syslens.storage.Labels;

/** What the alert and live-feed relays put on the bus: within its size limit, read back the same. */
class RelayCodecTest {
  private static Alert alert(String name, String summary) {
    return new Alert(Labels.fromMap(Map.of("alertname", name, "node", "n-1")), Map.of("summary", summary),
        Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(61_000), "http://x/#/explore", 42.5);
  }

  @Test
  void encode_manyAlerts_splitWithinLimitAndReadBackEqual() {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      alerts.add(alert("A" + i, "load high on 日本 " + i));
    }
    AtomicLong dropped = new AtomicLong();
    List<String> bodies = AlertRelay.encode(alerts, ClusterBus.MAX_BODY_BYTES, dropped);
    assertThat(bodies).hasSizeGreaterThan(1)
        .allSatisfy(b -> assertThat(b.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ClusterBus.MAX_BODY_BYTES));
    List<Alert> back = new ArrayList<>();
    bodies.forEach(b -> back.addAll(AlertRelay.decode(b)));
    assertThat(back).isEqualTo(alerts);
    assertThat(dropped).hasValue(0);
  }

  @Test
  void encode_alertOverLimit_annotationsCutOrDroppedAndCounted() {
    AtomicLong dropped = new AtomicLong();
    List<String> cut = AlertRelay.encode(List.of(alert("Big", "x".repeat(20_000))), ClusterBus.MAX_BODY_BYTES, dropped);
    assertThat(cut).hasSize(1);
    assertThat(AlertRelay.decode(cut.get(0)).get(0).annotations().get("summary")).hasSize(AlertRelay.CUT_ANNOTATION + 1);
    assertThat(AlertRelay.encode(List.of(alert("L".repeat(9_000), "s")), ClusterBus.MAX_BODY_BYTES, dropped)).isEmpty();
    assertThat(dropped).hasValue(1);
    assertThat(AlertRelay.decode("{not json")).isEmpty();
  }

  /** A bus that keeps what is published and hands it to nobody. */
  private static final class Capture implements ClusterBus {
    final List<String> sent = new CopyOnWriteArrayList<>();
    final Map<String, BiConsumer<String, String>> handlers = new java.util.HashMap<>();

    void deliver(String topic, String body) {
      handlers.get(topic).accept("other", body);
    }

    @Override
    public String instanceId() {
      return "me";
    }

    @Override
    public boolean clustered() {
      return true;
    }

    @Override
    public void subscribe(String topic, BiConsumer<String, String> handler) {
      handlers.put(topic, handler);
    }

    @Override
    public void onResync(Runnable handler) {}

    @Override
    public boolean publish(String topic, String body) {
      ClusterBus.checkBody(topic, body);
      sent.add(topic + ":" + body);
      return true;
    }

    @Override
    public String problem() {
      return null;
    }

    @Override
    public void start() {}

    @Override
    public void close() {}
  }

  @Test
  void liveRelay_unwanted_sendsNothing_wanted_latestPerNodeBoundedPerFlush() {
    Capture bus = new Capture();
    AtomicLong now = new AtomicLong(1_000_000);
    List<LiveSample> local = new ArrayList<>();
    AtomicInteger clients = new AtomicInteger();
    LiveRelay relay = new LiveRelay(bus, local::add, clients::get, now::get);
    LiveSample s = new LiveSample("node-1", 5, 12.5, null, 0.25, 1e6, 2.0, 0.0, 3.0, 99.0);
    relay.publish(s);
    relay.flush();
    assertThat(local).containsExactly(s);
    assertThat(bus.sent).as("no instance asked for samples").isEmpty();
    clients.set(1);
    relay.flush();
    assertThat(bus.sent).containsExactly(LiveRelay.WANT_TOPIC + ":");
    assertThat(LiveRelay.decode(LiveRelay.line(s))).containsExactly(s);

    bus.sent.clear();
    bus.deliver(LiveRelay.WANT_TOPIC, ""); // another instance has browsers
    relay.publish(new LiveSample("node-1", 6, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0));
    LiveSample latest = new LiveSample("node-1", 7, 9.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0);
    relay.publish(latest);
    relay.flush();
    assertThat(bus.sent).containsExactly(LiveRelay.TOPIC + ":" + LiveRelay.line(latest));
    bus.sent.clear();
    for (int i = 0; i < 10_000; i++) {
      relay.publish(new LiveSample("node-" + i, 8, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0));
    }
    relay.flush();
    assertThat(bus.sent).hasSize(LiveRelay.MAX_MESSAGES_PER_FLUSH);
    List<LiveSample> got = new ArrayList<>();
    bus.sent.forEach(m -> got.addAll(LiveRelay.decode(m.substring(LiveRelay.TOPIC.length() + 1))));
    assertThat(got).hasSizeGreaterThan(200).hasSizeLessThan(10_000);
    bus.deliver(LiveRelay.TOPIC, LiveRelay.line(latest) + "\nmalformed\tline");
    assertThat(local).endsWith(latest);
    now.addAndGet(LiveRelay.WANT_FOR_MS);
    relay.flush();
    bus.sent.clear();
    relay.publish(latest);
    relay.flush();
    assertThat(bus.sent).as("nobody asked for 15 s").isEmpty();
  }
}
