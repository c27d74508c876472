package syslens.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One agent stream's inbound side, and the budget all streams share. */
class StreamInboxTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  /** Room for two 1,000-byte messages. */
  private final IngestBudget budget = new IngestBudget(2_000);
  private final AtomicInteger decoded = new AtomicInteger();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void received_trueOnceAMessageCame_evenBeforeItsHandlerRuns() {
    java.util.List<Runnable> pending = new java.util.ArrayList<>();
    StreamInbox<String, String> s = StreamInbox.wrap(new Handler(), new Call(), pending::add);
    assertThat(s.received()).isFalse();
    s.onNext("hello"); // queued: the executor has not run it
    assertThat(pending).hasSize(1);
    assertThat(s.received()).as("the hello deadline must not close this stream").isTrue();
  }

  @Test
  void budget_boundsTheMessagesParsedAtOnce_theRestWaitAsBytes() throws Exception {
    BlockingHandler h1 = new BlockingHandler();
    BlockingHandler h2 = new BlockingHandler();
    BlockingHandler h3 = new BlockingHandler();
    StreamInbox<byte[], String> s1 = wire(h1, new Call());
    StreamInbox<byte[], String> s2 = wire(h2, new Call());
    StreamInbox<byte[], String> s3 = wire(h3, new Call());
    s1.onNext(new byte[1_000]);
    s2.onNext(new byte[1_000]);
    h1.entered.await(10, TimeUnit.SECONDS);
    h2.entered.await(10, TimeUnit.SECONDS);
    s3.onNext(new byte[1_000]);
    assertThat(budget.available()).isZero();
    assertThat(h3.entered.await(200, TimeUnit.MILLISECONDS)).as("no room: the third waits unparsed").isFalse();
    assertThat(decoded).hasValue(2);
    h1.release.countDown();
    assertThat(h3.entered.await(10, TimeUnit.SECONDS)).isTrue();
    h2.release.countDown();
    h3.release.countDown();
    await().atMost(WAIT).until(() -> budget.available() == budget.capacity());
  }

  @Test
  void clientCancelsMidBatch_theChargeComesBack_andALaterMessageIsDroppedUnparsed() throws Exception {
    BlockingHandler h = new BlockingHandler();
    Call call = new Call();
    StreamInbox<byte[], String> s = wire(h, call);
    s.onNext(new byte[1_000]);
    h.entered.await(10, TimeUnit.SECONDS);
    assertThat(budget.available()).isEqualTo(1_000);
    call.cancelled = true; // the agent went away while its batch is being committed
    s.onNext(new byte[1_000]); // already delivered by gRPC before the cancel
    s.onError(new RuntimeException("cancelled"));
    h.release.countDown();
    await().atMost(WAIT).until(() -> h.errors.get() == 1);
    assertThat(budget.available()).isEqualTo(budget.capacity());
    assertThat(decoded).as("the message after the cancel is never parsed").hasValue(1);
  }

  @Test
  void streamReplacedByTheSameNode_bothStreamsGiveTheirChargesBack() throws Exception {
    BlockingHandler old = new BlockingHandler();
    Call oldCall = new Call();
    StreamInbox<byte[], String> first = wire(old, oldCall);
    first.onNext(new byte[1_000]);
    old.entered.await(10, TimeUnit.SECONDS);
    // The node reconnects on a new stream while the old one's batch is in its handler.
    BlockingHandler fresh = new BlockingHandler();
    Call freshCall = new Call();
    StreamInbox<byte[], String> second = wire(fresh, freshCall);
    second.onNext(new byte[1_000]);
    fresh.entered.await(10, TimeUnit.SECONDS);
    oldCall.cancelled = true;
    first.onNext(new byte[1_000]);
    first.onError(new RuntimeException("replaced"));
    old.release.countDown();
    fresh.release.countDown();
    await().atMost(WAIT).until(() -> old.errors.get() == 1 && fresh.handled.get() == 1);
    assertThat(budget.available()).isEqualTo(budget.capacity());
    assertThat(freshCall.requests).as("the new stream asks for its next message").hasValue(2);
  }

  @Test
  void serverClosesTheStream_itsChargesComeBack() {
    Call call = new Call();
    AtomicInteger seen = new AtomicInteger();
    StreamInbox<byte[], String> s = wire(new Handler() {
      boolean closed;

      @Override
      public void onNext(String value) {
        seen.incrementAndGet();
        if (!closed) {
          closed = true;
          call.onCompleted(); // a fatal reject: the handler ends the call, later messages are ignored
        }
      }
    }, call);
    s.onNext(new byte[1_000]);
    s.onNext(new byte[1_500]);
    s.onNext(new byte[500]);
    await().atMost(WAIT).until(() -> seen.get() == 3);
    await().atMost(WAIT).until(() -> budget.available() == budget.capacity());
    assertThat(call.ended).isDone();
  }

  @Test
  void handlerThrows_theChargeComesBack_andTheStreamGoesOn() {
    Call call = new Call();
    AtomicInteger seen = new AtomicInteger();
    StreamInbox<byte[], String> s = wire(new Handler() {
      @Override
      public void onNext(String value) {
        if (seen.incrementAndGet() == 1) {
          throw new IllegalStateException("commit failed");
        }
      }
    }, call);
    s.onNext(new byte[1_000]);
    s.onNext(new byte[1_000]);
    await().atMost(WAIT).until(() -> seen.get() == 2 && call.requests.get() == 3);
    assertThat(budget.available()).isEqualTo(budget.capacity());
  }

  @Test
  void malformedMessage_closesTheCall_endsTheHandler_andGivesTheChargeBack() {
    Call call = new Call();
    Handler h = new Handler();
    StreamInbox<byte[], String> s = StreamInbox.wrap(h, call, executor, budget, new StreamInbox.Decoder<>() {
      @Override
      public String decode(byte[] wire) throws java.io.IOException {
        throw new java.io.IOException("truncated");
      }

      @Override
      public int wireBytes(byte[] wire) {
        return wire.length;
      }
    });
    s.onNext(new byte[1_000]);
    await().atMost(WAIT).until(() -> h.errors.get() == 1);
    assertThat(call.ended).isDone();
    assertThat(call.requests).as("no further message asked for").hasValue(1);
    assertThat(budget.available()).isEqualTo(budget.capacity());
  }

  @Test
  void aMessageLargerThanTheBudget_isChargedTheWholeBudget_notStuck() {
    Handler h = new Handler();
    StreamInbox<byte[], String> s = wire(h, new Call());
    s.onNext(new byte[5_000]);
    await().atMost(WAIT).until(() -> h.handled.get() == 1);
    await().atMost(WAIT).until(() -> budget.available() == budget.capacity());
  }

  private StreamInbox<byte[], String> wire(StreamObserver<String> handler, Call call) {
    return StreamInbox.wrap(handler, call, executor, budget, new StreamInbox.Decoder<>() {
      @Override
      public String decode(byte[] wire) {
        decoded.incrementAndGet();
        return "batch of " + wire.length;
      }

      @Override
      public int wireBytes(byte[] wire) {
        return wire.length;
      }
    });
  }

  private static class Handler implements StreamObserver<String> {
    final AtomicInteger handled = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();

    @Override
    public void onNext(String value) {
      handled.incrementAndGet();
    }

    @Override
    public void onError(Throwable t) {
      errors.incrementAndGet();
    }

    @Override
    public void onCompleted() {}
  }

  /** Holds its first message until released (a batch waiting for its commit). */
  private static final class BlockingHandler extends Handler {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> values = new CopyOnWriteArrayList<>();

    @Override
    public void onNext(String value) {
      values.add(value);
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      super.onNext(value);
    }
  }

  private static final class Call extends TestServerCall<String> {
    volatile boolean cancelled;

    @Override
    public boolean isCancelled() {
      return cancelled;
    }
  }
}
