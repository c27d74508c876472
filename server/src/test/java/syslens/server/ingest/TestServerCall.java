package syslens.server.ingest;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The server side of a gRPC call for tests: records what is sent, counts the messages asked for. */
public class TestServerCall<T> extends ServerCallStreamObserver<T> {
  public final List<T> sent = new CopyOnWriteArrayList<>();
  public final CompletableFuture<Void> ended = new CompletableFuture<>();
  public final AtomicInteger requests = new AtomicInteger();

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public void request(int count) {
    requests.addAndGet(count);
  }

  @Override
  public void setOnCancelHandler(Runnable onCancelHandler) {}

  @Override
  public void setCompression(String compression) {}

  @Override
  public boolean isReady() {
    return true;
  }

  @Override
  public void setOnReadyHandler(Runnable onReadyHandler) {}

  @Override
  public void disableAutoInboundFlowControl() {}

  @Override
  public void disableAutoRequest() {}

  @Override
  public void setMessageCompression(boolean enable) {}

  @Override
  public void onNext(T value) {
    sent.add(value);
  }

  @Override
  public void onError(Throwable t) {
    ended.complete(null);
  }

  @Override
  public void onCompleted() {
    ended.complete(null);
  }
}
