package syslens.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shared gate of the agent streams: once as many messages wait for their handlers as it
 * allows, a stream that finishes a message asks for its next one only when there is room again,
 * oldest first, so a backlog waits in the connections as bytes instead of in the heap as parsed
 * batches (~0.3 GB of them at 10,000 agents).
 */
class StreamInboxTest {
  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void gate_full_holdsBackTheNextRequest_releasesOldestFirst_andAnEndedStreamFreesItsSlot() throws Exception {
    StreamInbox.Gate gate = new StreamInbox.Gate(1);
    CountDownLatch inA = new CountDownLatch(1);
    CountDownLatch releaseA = new CountDownLatch(1);
    Call callA = new Call();
    Call callB = new Call();
    StreamInbox<String> a = StreamInbox.wrap(new Handler() {
      @Override
      public void onNext(String m) {
        inA.countDown();
        try {
          releaseA.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, callA, executor, gate);
    StreamInbox<String> b = StreamInbox.wrap(new Handler(), callB, executor, gate);
    assertThat(callA.requests.get()).isEqualTo(1);
    assertThat(callB.requests.get()).isEqualTo(1);

    a.onNext("a1");
    assertThat(inA.await(10, TimeUnit.SECONDS)).isTrue();
    b.onNext("b1"); // handled while a1 still waits: the gate (1) is full, so b's next request is held back
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.deferred() == 1);
    assertThat(callB.requests.get()).isEqualTo(1);

    releaseA.countDown(); // room again: b, the oldest held back, asks for its next message; a queues behind it
    await().atMost(Duration.ofSeconds(10)).until(() -> callB.requests.get() == 2);
    assertThat(callA.requests.get()).isEqualTo(1);
    assertThat(gate.waiting()).as("the slot kept for b's next message").isEqualTo(1);

    b.onNext("b2"); // takes its slot; once handled, a is released
    await().atMost(Duration.ofSeconds(10)).until(() -> callA.requests.get() == 2);
    assertThat(callB.requests.get()).isEqualTo(2);
    assertThat(gate.deferred()).isEqualTo(1);

    a.onCompleted(); // a ends without another message: its slot goes to b
    await().atMost(Duration.ofSeconds(10)).until(() -> callB.requests.get() == 3);
    assertThat(gate.deferred()).isZero();
  }

  @Test
  void received_trueOnceAMessageCame_evenBeforeItsHandlerRuns() {
    java.util.List<Runnable> pending = new java.util.ArrayList<>();
    StreamInbox<String> s = StreamInbox.wrap(new Handler(), new Call(), pending::add, new StreamInbox.Gate(8));
    assertThat(s.received()).isFalse();
    s.onNext("hello"); // queued: the executor has not run it
    assertThat(pending).hasSize(1);
    assertThat(s.received()).as("the hello deadline must not close this stream").isTrue();
  }

  /** Set while a test plays a call's close handler: Armeria runs it inside that call's request context. */
  private static final ThreadLocal<Boolean> IN_OTHER_CALLS_CONTEXT = ThreadLocal.withInitial(() -> false);

  /** A call that, as Armeria's, refuses to be asked for a message inside another call's context. */
  private static final class ContextCall extends TestServerCall<String> {
    @Override
    public void request(int count) {
      if (IN_OTHER_CALLS_CONTEXT.get()) {
        throw new IllegalStateException("Trying to call object wrapped with context A, but context is currently set to B");
      }
      super.request(count);
    }
  }

  @Test
  void gate_streamReleasedFromAnotherCallsCloseHandler_stillGetsItsNextMessage() throws Exception {
    StreamInbox.Gate gate = new StreamInbox.Gate(1);
    CountDownLatch inA = new CountDownLatch(1);
    CountDownLatch releaseA = new CountDownLatch(1);
    ContextCall callA = new ContextCall();
    Call callB = new Call();
    StreamInbox<String> a = StreamInbox.wrap(new Handler() {
      @Override
      public void onNext(String m) {
        inA.countDown();
        try {
          releaseA.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, callA, executor, gate);
    StreamInbox<String> b = StreamInbox.wrap(new Handler(), callB, executor, gate);
    a.onNext("a1");
    assertThat(inA.await(10, TimeUnit.SECONDS)).isTrue();
    b.onNext("b1"); // the gate (1) is full: b is held back
    await().atMost(Duration.ofSeconds(10)).until(() -> gate.deferred() == 1);
    releaseA.countDown(); // b is released (a slot kept for its next message), a is held back behind it
    await().atMost(Duration.ofSeconds(10)).until(() -> callB.requests.get() == 2 && gate.deferred() == 1);
    assertThat(callA.requests.get()).isEqualTo(1);

    // b ends before its next message; Armeria runs its close handler inside b's request context,
    // where asking a's call for a message fails: a must be asked all the same.
    IN_OTHER_CALLS_CONTEXT.set(true);
    try {
      b.onCompleted();
    } finally {
      IN_OTHER_CALLS_CONTEXT.set(false);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> callA.requests.get() == 2);
    assertThat(gate.deferred()).isZero();
    assertThat(gate.waiting()).as("the slot kept for a's next message").isEqualTo(1);
  }

  @Test
  void gate_withRoom_asksForTheNextMessageAtOnce() {
    StreamInbox.Gate gate = new StreamInbox.Gate(8);
    Call call = new Call();
    StreamInbox<String> s = StreamInbox.wrap(new Handler(), call, executor, gate);
    for (int i = 0; i < 5; i++) {
      s.onNext("m" + i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> call.requests.get() == 6);
    assertThat(gate.waiting()).isZero();
    assertThat(gate.deferred()).isZero();
  }

  private static class Handler implements StreamObserver<String> {
    @Override
    public void onNext(String value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  private static final class Call extends TestServerCall<String> {}
}
