package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import syslens.alerting.Alert;
import syslens.alerting.notify.Model.Delivery;
import syslens.alerting.notify.TestSupport.Listener;
import syslens.alerting.notify.TestSupport.MutableClock;

/** Retries, isolation of slow receivers, and at-least-once delivery across restarts. */
class DeliveryTest {
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  final MutableClock clock = new MutableClock(T0);
  final DataSource db = TestSupport.h2();
  final Listener a = listener();
  final Listener b = listener();

  static Listener listener() {
    try {
      return new Listener();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void tearDown() {
    a.close();
    b.close();
  }

  String config(String timeout) {
    return """
        route:
          receiver: a
          group_wait: 0s
          group_interval: 1m
          repeat_interval: 1h
          routes:
          - receiver: a
            continue: true
          - receiver: b
        receivers:
        - name: a
          webhook_configs: [{url: '%s', timeout: %s}]
        - name: b
          webhook_configs: [{url: '%s'}]
        """.formatted(a.url("/a"), timeout, b.url("/b"));
  }

  Notifier notifier(int attempts, Duration backoff, String timeout) {
    return Notifier.builder(db).clock(clock).initialConfig(config(timeout)).retry(attempts, backoff, backoff).build();
  }

  static Alert alert() {
    return TestSupport.firing(T0, "alertname", "Down", "instance", "n1");
  }

  @Test
  void deliver_receiverAnswers500Then200_retriedAndDelivered() {
    AtomicInteger calls = new AtomicInteger();
    a.status = () -> calls.incrementAndGet() == 1 ? 500 : 200;
    try (Notifier n = notifier(5, Duration.ofMillis(20), "5s")) {
      n.send(List.of(alert()));
      n.tick();
      await().atMost(Duration.ofSeconds(10)).until(() -> a.bodies.size() == 1 && b.bodies.size() == 1);
      await().until(() -> n.store().pending().isEmpty());
      List<Delivery> log = n.store().deliveries("a", T0, T0.plusSeconds(60), 10);
      assertThat(log).extracting(Delivery::attempt, Delivery::status)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "delivered"), org.assertj.core.groups.Tuple.tuple(1, "retrying"));
      assertThat(log.get(1).error()).contains("HTTP 500").contains("boom");
      assertThat(log.get(0).integration()).isEqualTo("webhook_configs");
      assertThat(calls.get()).isEqualTo(2);
    }
  }

  @Test
  void deliver_receiverHangs_otherReceiverUnaffectedAndTimeoutLogged() {
    a.hold = new CountDownLatch(1);
    try (Notifier n = notifier(1, Duration.ofMillis(20), "4s")) {
      n.send(List.of(alert()));
      n.tick();
      await().atMost(Duration.ofSeconds(5)).until(() -> b.bodies.size() == 1);
      // b got its notification while a was still hanging: a's attempt has not ended (no delivery
      // logged for it, which its 4 s timeout writes), not a wall-clock bound.
      assertThat(n.store().deliveries("a", T0, T0.plusSeconds(60), 10)).as("a still in flight").isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> !n.store().deliveries("a", T0, T0.plusSeconds(60), 10).isEmpty());
      Delivery d = n.store().deliveries("a", T0, T0.plusSeconds(60), 10).get(0);
      assertThat(d.status()).isEqualTo("failed");
      assertThat(d.error()).contains("timed out");
    } finally {
      a.hold.countDown();
    }
  }

  @Test
  void restart_unconfirmedResentConfirmedNotRepeated() {
    a.status = () -> 503;
    Notifier first = notifier(2, Duration.ofHours(1), "5s");
    first.send(List.of(alert()));
    first.tick();
    await().atMost(Duration.ofSeconds(10)).until(() -> b.bodies.size() == 1
        && first.store().deliveries("a", T0, T0.plusSeconds(60), 10).size() == 1);
    first.close(); // a never confirmed; b did
    assertThat(a.bodies).isEmpty();

    a.status = () -> 200;
    clock.advance(Duration.ofSeconds(10));
    try (Notifier second = notifier(3, Duration.ofMillis(20), "5s")) {
      second.start(); // re-sends the unconfirmed notification to a
      await().atMost(Duration.ofSeconds(10)).until(() -> a.bodies.size() == 1);
      await().until(() -> second.store().pending().isEmpty());
      // The dispatcher's first step (at once) found the resumed notification on its way and did
      // not decide the same news again: a heard it once.
      assertThat(a.bodies).hasSize(1);
      long before = second.dispatcher().queued();
      second.tick(); // groups rebuilt from the stored alert: both receivers already told
      assertThat(second.dispatcher().queued()).isEqualTo(before);
    }
    clock.advance(Duration.ofMinutes(5));
    try (Notifier third = notifier(3, Duration.ofMillis(20), "5s")) {
      third.send(List.of(alert()));
      third.tick();
      assertThat(third.dispatcher().queued()).isZero();
      clock.advance(Duration.ofHours(1));
      third.send(List.of(alert()));
      third.tick();
      third.tick();
      await().atMost(Duration.ofSeconds(10)).until(() -> a.bodies.size() == 2 && b.bodies.size() == 2);
    }
    assertThat(a.bodies).hasSize(2);
    assertThat(b.bodies).hasSize(2);
  }

  @Test
  void restart_downLongerThanAlertValidity_noResolvedNotification() {
    // As Prometheus sends them: valid for a few evaluation intervals, re-sent every evaluation.
    Alert a = new Alert(alert().labels(), alert().annotations(), T0, T0.plusSeconds(60), "", Double.NaN);
    try (Notifier first = notifier(3, Duration.ofMillis(20), "5s")) {
      first.send(List.of(a));
      first.tick();
      await().atMost(Duration.ofSeconds(10)).until(() -> this.a.bodies.size() == 1
          && b.bodies.size() == 1 && first.store().pending().isEmpty());
    }
    clock.advance(Duration.ofMinutes(10)); // down for longer than the alert's endsAt
    try (Notifier second = notifier(3, Duration.ofMillis(20), "5s")) {
      second.tick();
      assertThat(second.dispatcher().queued()).isZero();
      assertThat(second.dispatcher().status().get(0).alert().firingAt(clock.instant())).isTrue();
      // The rule re-sends it: still nothing new to say within repeat_interval.
      second.send(List.of(new Alert(a.labels(), a.annotations(), T0, clock.instant().plusSeconds(120), "", Double.NaN)));
      clock.advance(Duration.ofMinutes(1));
      second.tick();
      assertThat(second.dispatcher().queued()).isZero();
    }
    assertThat(this.a.bodies).hasSize(1);
  }
}
