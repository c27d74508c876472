package syslens.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

/** One agent stream's inbound side. */
class StreamInboxTest {
  @Test
  void received_trueOnceAMessageCame_evenBeforeItsHandlerRuns() {
    java.util.List<Runnable> pending = new java.util.ArrayList<>();
    StreamInbox<String> s = StreamInbox.wrap(new Handler(), new Call(), pending::add);
    assertThat(s.received()).isFalse();
    s.onNext("hello"); // queued: the executor has not run it
    assertThat(pending).hasSize(1);
    assertThat(s.received()).as("the hello deadline must not close this stream").isTrue();
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
