package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import syslens.alerting.Alert;
import syslens.alerting.notify.Model.Delivery;
import syslens.alerting.notify.Model.Entry;
import syslens.alerting.notify.Model.LogEntry;
import syslens.alerting.notify.Model.Notification;

/** The notifier's single database writer: order, supersession, batching and what a restart finds. */
class NotifyWriterTest {
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  final DataSource db = TestSupport.h2();
  final NotifyStore store = store();

  NotifyStore store() {
    syslens.alerting.AlertingSchema.migrate(db);
    return new NotifyStore(db);
  }

  static Notification notification(long id, String key) {
    Alert a = TestSupport.firing(T0, "alertname", "Down", "instance", key);
    return new Notification(id, key, "r", 0, "{}:{alertname=\"Down\"}", Map.of("alertname", "Down"),
        List.of(new Entry(Model.fingerprint(a.labels()), a, true)), 3_600_000, false);
  }

  static NotifyWriter.Outcome delivered(Notification n) {
    Delivery d = new Delivery(0, n.id(), "r", "webhook", n.groupKey(), 1, 1, "delivered", null, T0, 3);
    return new NotifyWriter.Outcome(d, n.logKey(), NotificationLog.entry(n, T0), true);
  }

  @Test
  void write_enqueueThenDelivered_rowRemovedAndLogWrittenInOrder() {
    ConcurrentLinkedQueue<Long> done = new ConcurrentLinkedQueue<>();
    try (NotifyWriter w = new NotifyWriter(store, o -> done.add(o.delivery().notificationId()))) {
      List<Notification> ns = new ArrayList<>();
      for (int i = 1; i <= 1200; i++) {
        ns.add(notification(i, "k" + i));
      }
      w.write(new NotifyWriter.Enqueue(ns, T0));
      for (Notification n : ns.subList(0, 1000)) {
        w.write(delivered(n)); // each removal is handed over after the row it removes
      }
      assertThat(w.flush(10_000)).isTrue();
    }
    assertThat(store.pending()).extracting(Notification::id).hasSize(200).allMatch(id -> id > 1000);
    assertThat(store.log()).hasSize(1000).extracting(LogEntry::key).contains("k1", "k1000").doesNotContain("k1001");
    assertThat(store.deliveries("r", T0, T0, 5000)).hasSize(1000);
    assertThat(done).hasSize(1000);
    assertThat(store.lastNotificationId()).isEqualTo(1200);
  }

  @Test
  void write_sendersBusyPastLinger_queueRowWaitsForItsDelivery() throws InterruptedException {
    java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
    Notification n = notification(1, "k");
    try (NotifyWriter w = new NotifyWriter(store, o -> { }, sending::get)) {
      w.write(new NotifyWriter.Enqueue(List.of(n), T0));
      // A delivery that takes longer than the linger: the batch holding the queue row waits for
      // the senders instead of writing the row (and later its removal).
      Thread.sleep(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(NotifyWriter.LINGER_NANOS) + 500);
      assertThat(store.pending()).isEmpty();
      w.write(delivered(n));
      sending.set(false);
      assertThat(w.flush(10_000)).isTrue();
    }
    assertThat(store.pending()).isEmpty();
    assertThat(store.deliveries("r", T0, T0, 10)).hasSize(1);
    assertThat(store.log()).extracting(LogEntry::key).containsExactly("k");
  }

  @Test
  void write_sendersIdle_queueRowWrittenAfterLinger() {
    try (NotifyWriter w = new NotifyWriter(store, o -> { }, () -> false)) {
      w.write(new NotifyWriter.Enqueue(List.of(notification(1, "k")), T0));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> store.pending().size() == 1);
    }
  }

  @Test
  void write_newerNotificationForSameKey_replacesQueuedOne() {
    try (NotifyWriter w = new NotifyWriter(store, o -> { })) {
      w.write(new NotifyWriter.Enqueue(List.of(notification(1, "k")), T0));
      w.write(new NotifyWriter.Enqueue(List.of(notification(2, "k"), notification(3, "other")), T0));
      w.write(new NotifyWriter.Enqueue(List.of(notification(4, "k")), T0));
    }
    assertThat(store.pending()).extracting(Notification::id).containsExactlyInAnyOrder(3L, 4L);
  }

  @Test
  void close_writesWhatWasHandedOver_restartFindsOnlyUndelivered() {
    Notification sent = notification(7, "sent");
    Notification waiting = notification(8, "waiting");
    NotifyWriter w = new NotifyWriter(store, o -> { });
    w.write(new NotifyWriter.Enqueue(List.of(sent, waiting), T0));
    w.write(delivered(sent));
    w.write(new NotifyWriter.Alerts(Map.of("fp", TestSupport.firing(T0, "alertname", "X")), Set.of(), T0));
    w.close(); // no flush: close must write what it was given
    NotifyStore reopened = new NotifyStore(db);
    assertThat(reopened.pending()).extracting(Notification::id).containsExactly(8L);
    assertThat(reopened.log()).extracting(LogEntry::key).containsExactly("sent");
    assertThat(reopened.alerts(T0)).hasSize(1);
    assertThat(reopened.lastNotificationId()).isEqualTo(8);
  }
}
