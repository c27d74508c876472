package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import syslens.alerting.notify.TestSupport.Listener;

/**
 * The dispatcher thread on the real clock: it steps when alerts arrive and when a group is due,
 * not on a poll. The poll ({@code tickInterval}) is set to an hour here, so every delivery below
 * happens only because of those two wake-ups.
 */
class DispatcherTimingTest {
  final Listener hook = DeliveryTest.listener();

  @AfterEach
  void tearDown() {
    hook.close();
  }

  Notifier notifier() {
    String config = """
        route: {receiver: hook, group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 4h}
        receivers:
        - name: hook
          webhook_configs: [{url: '%s'}]
        """.formatted(hook.url("/hook"));
    return Notifier.builder(TestSupport.h2()).clock(Clock.systemUTC()).tickInterval(Duration.ofHours(1))
        .initialConfig(config).build().start();
  }

  @Test
  void send_pollAnHourAway_newGroupNotifiedAtOnceAndNextAlertAtGroupInterval() {
    try (Notifier n = notifier()) {
      Instant now = Instant.now();
      long sent = System.nanoTime();
      n.send(List.of(TestSupport.firing(now, "alertname", "Hot", "instance", "n1")));
      await().atMost(Duration.ofSeconds(10)).until(() -> hook.bodies.size() == 1);
      assertThat(hook.bodies.get(0)).contains("\"instance\":\"n1\"");

      // A new alert of a group that has flushed waits for the group's interval (1 s after that
      // flush), then goes out without waiting for the hour-long poll.
      n.send(List.of(TestSupport.firing(now, "alertname", "Hot", "instance", "n1"),
          TestSupport.firing(Instant.now(), "alertname", "Hot", "instance", "n2")));
      await().atMost(Duration.ofSeconds(10)).until(() -> hook.bodies.size() == 2);
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
      assertThat(hook.bodies.get(1)).contains("\"instance\":\"n1\"").contains("\"instance\":\"n2\"");
    }
  }

  @Test
  void notifications_readRightAfterDelivery_showsTheAttemptDespiteWriterBatching() {
    try (Notifier n = notifier()) {
      n.send(List.of(TestSupport.firing(Instant.now(), "alertname", "Hot", "instance", "n1")));
      await().atMost(Duration.ofSeconds(10)).until(() -> n.stats().delivered() == 1); // warm: connection open
      n.send(List.of(TestSupport.firing(Instant.now(), "alertname", "Cold", "instance", "n1")));
      // Counted right after the outcome went to the database writer, which then lingers a second for more;
      // reads through the notifier wait for what it was handed.
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> n.stats().delivered() == 2);
      NotifyApi.Response r = new NotifyApi(n).handle("GET", "/api/v1/notifications", java.util.Map.of("receiver", "hook"),
          null, "alice");
      assertThat(r.status()).isEqualTo(200);
      assertThat((List<?>) r.data()).hasSize(2).allSatisfy(d -> assertThat(d).asString().contains("delivered"));
    }
  }
}
