package syslens.agent;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import syslens.agent.v1.lite.Ack;
import syslens.agent.v1.lite.AgentMessage;
import syslens.agent.v1.lite.AgentServiceGrpc;
import syslens.agent.v1.lite.ConfigUpdate;
import syslens.agent.v1.lite.Hello;
import syslens.agent.v1.lite.MetricBatch;
import syslens.agent.v1.lite.Reject;
import syslens.agent.v1.lite.ServerMessage;

/** A stand-in for the SysLens server's agent endpoint: TLS, records what it gets. */
final class TestAgentServer implements AutoCloseable {

  final List<Hello> hellos = new CopyOnWriteArrayList<>();
  final List<MetricBatch> batches = new CopyOnWriteArrayList<>();
  final AtomicInteger streams = new AtomicInteger();
  final AtomicInteger heartbeats = new AtomicInteger();
  final Set<Long> rejectSeqs = ConcurrentHashMap.newKeySet();
  volatile boolean autoAck = true;
  volatile String expectedToken;
  /** When set, a Hello without a node secret is answered with Enrolled(this secret). */
  volatile String enrollSecret;
  volatile long configIntervalMs;

  private final Server server;

  private TestAgentServer(Server server) {
    this.server = server;
  }

  static TestAgentServer start(TestCerts.Server cert, int port) throws Exception {
    TestAgentServer[] self = new TestAgentServer[1];
    Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .sslContext(GrpcSslContexts.configure(
            SslContextBuilder.forServer(cert.key(), cert.chain()), SslProvider.JDK).build())
        .addService(new AgentServiceGrpc.AgentServiceImplBase() {
          @Override
          public StreamObserver<AgentMessage> connect(StreamObserver<ServerMessage> out) {
            return self[0].stream(out);
          }
        })
        .build()
        .start();
    self[0] = new TestAgentServer(s);
    return self[0];
  }

  int port() {
    return server.getPort();
  }

  private StreamObserver<AgentMessage> stream(StreamObserver<ServerMessage> out) {
    streams.incrementAndGet();
    return new StreamObserver<>() {
      private boolean done;

      @Override
      public void onNext(AgentMessage m) {
        if (done) {
          return;
        }
        switch (m.getKindCase()) {
          case HELLO -> {
            hellos.add(m.getHello());
            String expected = expectedToken;
            if (expected != null && !expected.equals(m.getHello().getEnrollmentToken())) {
              done = true;
              out.onNext(ServerMessage.newBuilder().setReject(Reject.newBuilder()
                  .setCode(Reject.Code.UNAUTHENTICATED).setReason("bad enrollment token")
                  .setFatal(true)).build());
              out.onCompleted();
              return;
            }
            String secret = enrollSecret;
            if (secret != null && m.getHello().getNodeSecret().isEmpty()) {
              out.onNext(ServerMessage.newBuilder().setEnrolled(
                  syslens.agent.v1.lite.Enrolled.newBuilder().setNodeSecret(secret)).build());
            }
            out.onNext(ServerMessage.newBuilder().setConfig(ConfigUpdate.newBuilder()
                .setCollectIntervalMs(configIntervalMs)).build());
          }
          case BATCH -> {
            batches.add(m.getBatch());
            long seq = m.getBatch().getSeq();
            if (rejectSeqs.contains(seq)) {
              out.onNext(ServerMessage.newBuilder().setReject(Reject.newBuilder()
                  .setCode(Reject.Code.INVALID_ARGUMENT).setReason("sample value is NaN")
                  .setSeq(seq)).build());
            } else if (autoAck) {
              out.onNext(ServerMessage.newBuilder().setAck(Ack.newBuilder().setSeq(seq)).build());
            }
          }
          case HEARTBEAT -> heartbeats.incrementAndGet();
          default -> { }
        }
      }

      @Override
      public void onError(Throwable t) {
        done = true;
      }

      @Override
      public void onCompleted() {
        if (!done) {
          done = true;
          out.onCompleted();
        }
      }
    };
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
