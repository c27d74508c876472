package syslens.bench;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import syslens.agent.v1.AgentMessage;
import syslens.agent.v1.AgentServiceGrpc;
import syslens.agent.v1.Hello;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.ServerMessage;

/**
 * One simulated agent's stream to a SysLens server, as the real agent speaks it: TLS trusting the
 * server's CA file, Hello with the enrollment token, then batches acked by sequence number.
 * Everything the benchmark knows about agent identity and the stream protocol is in this class.
 */
final class AgentStream implements AutoCloseable {
  private final Map<Long, CompletableFuture<Integer>> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final StreamObserver<AgentMessage> out;
  private volatile Throwable failure;

  private AgentStream(ManagedChannel channel, String nodeId) {
    out = AgentServiceGrpc.newStub(channel).connect(new StreamObserver<>() {
      @Override
      public void onNext(ServerMessage m) {
        switch (m.getKindCase()) {
          case CONFIG -> ready.complete(null);
          case ACK -> {
            CompletableFuture<Integer> f = pending.remove(m.getAck().getSeq());
            if (f != null) {
              f.complete(m.getAck().getRejectedSamples());
            }
          }
          case REJECT -> {
            var r = m.getReject();
            IllegalStateException e = new IllegalStateException("agent " + nodeId + ": server rejected "
                + (r.getSeq() == 0 ? "the stream" : "batch " + r.getSeq()) + ": " + r.getCode() + " " + r.getReason());
            if (r.getFatal() || r.getSeq() == 0) {
              fail(e);
            } else {
              CompletableFuture<Integer> f = pending.remove(r.getSeq());
              if (f != null) {
                f.completeExceptionally(e);
              }
            }
          }
          default -> { }
        }
      }

      @Override
      public void onError(Throwable t) {
        fail(new IllegalStateException("agent " + nodeId + ": stream failed: " + t, t));
      }

      @Override
      public void onCompleted() {
        fail(new IllegalStateException("agent " + nodeId + ": server ended the stream"));
      }
    });
  }

  private void fail(Throwable t) {
    failure = t;
    ready.completeExceptionally(t);
    pending.values().forEach(f -> f.completeExceptionally(t));
    pending.clear();
  }

  /** A TLS channel to 127.0.0.1:port trusting {@code caFile} (the server's {@code data/tls/ca.crt}). */
  static ManagedChannel channel(int port, Path caFile) throws IOException {
    return NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .overrideAuthority("localhost")
        .sslContext(GrpcSslContexts.forClient().trustManager(caFile.toFile()).build())
        .maxInboundMessageSize(1 << 20)
        .build();
  }

  /** Opens a stream on {@code channel}, says Hello and waits for the server's config (or its reject). */
  static AgentStream connect(ManagedChannel channel, String enrollmentToken, String nodeId) throws Exception {
    requireNonNull(enrollmentToken, "enrollmentToken");
    AgentStream s = new AgentStream(channel, nodeId);
    synchronized (s.out) {
      s.out.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setNodeId(nodeId).setHostname(nodeId)
          .setOs("Linux bench").setAgentVersion("bench").setEnrollmentToken(enrollmentToken)
          .setIntervalMs(10_000)).build());
    }
    s.ready.get(30, TimeUnit.SECONDS);
    return s;
  }

  /** Sends a batch; the future completes with the number of refused samples when the server acks it. */
  CompletableFuture<Integer> send(MetricBatch batch) {
    CompletableFuture<Integer> f = new CompletableFuture<>();
    if (failure != null) {
      f.completeExceptionally(failure);
      return f;
    }
    pending.put(batch.getSeq(), f);
    synchronized (out) {
      out.onNext(AgentMessage.newBuilder().setBatch(batch).build());
    }
    return f;
  }

  @Override
  public void close() {
    synchronized (out) {
      try {
        out.onCompleted();
      } catch (RuntimeException e) {
        // already closed
      }
    }
  }
}
