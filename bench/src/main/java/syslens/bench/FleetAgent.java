package syslens.bench;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import syslens.agent.v1.AgentMessage;
import syslens.agent.v1.AgentServiceGrpc;
import syslens.agent.v1.Hello;
import syslens.agent.v1.MetricBatch;
import syslens.agent.v1.Sample;
import syslens.agent.v1.Series;
import syslens.agent.v1.ServerMessage;

/**
 * One simulated agent of {@code bench fleet}, speaking the stream as the real agent does: Hello
 * with the enrollment token the first time and its own credential (from Enrolled) afterwards, one
 * batch per round numbered within a seq epoch, unacknowledged batches kept (bounded, oldest dropped
 * first) and resent in order after a reconnect with capped exponential backoff. A kept round is
 * its stamp and values alone (~1.6 KB at 200 series, not two built messages of ~20 KB each: at
 * 10,000 agents with a start-up backlog of tens of rounds each, the messages would not fit this
 * process's heap); the message is built when it is sent.
 */
final class FleetAgent {
  /** What the fleet learns from its agents: acks and their latency, drops, stream failures. */
  interface Listener {
    void acked(FleetAgent agent, long samples, long sentNanos, long stampMs);

    void connected(FleetAgent agent);

    void failed(FleetAgent agent, String why);
  }

  private record Pending(long seq, long stampMs, double[] values, long[] sentNanos) {
    long samples() {
      return values.length;
    }
  }

  /** The agent's merge bounds for a replayed backlog (agent/net/BatchMerger). */
  static final int MAX_MERGED_ROUNDS = 60;
  static final int MAX_MERGED_SAMPLES = 20_000;

  final String nodeId;
  private final String token;
  private final ScheduledExecutorService timer;
  private final Listener listener;
  private final int maxBuffered;
  /** Each series' labels and ref (1..S); the batch's i-th value belongs to series i. */
  private final Series[] series;
  private final long epoch = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
  private final ArrayDeque<Pending> unacked = new ArrayDeque<>();
  private ManagedChannel channel;
  private String secret = "";
  private long nextSeq = 1;
  private ClientCallStreamObserver<AgentMessage> out;
  /** Whether the current stream has had the series' labels (then refs alone follow, as the agent sends). */
  private boolean defined;
  private boolean up;
  private int failures;
  private long dropped;
  private boolean stopped;

  FleetAgent(String nodeId, String token, ScheduledExecutorService timer, int maxBuffered, Series[] series,
      Listener listener) {
    this.nodeId = requireNonNull(nodeId, "nodeId");
    this.series = requireNonNull(series, "series");
    this.token = requireNonNull(token, "token");
    this.timer = requireNonNull(timer, "timer");
    this.listener = requireNonNull(listener, "listener");
    this.maxBuffered = maxBuffered;
  }

  /** Opens the stream on {@code ch} (and uses it for every reconnect). */
  synchronized void connect(ManagedChannel ch) {
    channel = requireNonNull(ch, "ch");
    open();
  }

  synchronized boolean up() {
    return up;
  }

  /** The collection stamp of the oldest batch not yet acked, or Long.MAX_VALUE. */
  synchronized long oldestUnackedStamp() {
    Pending p = unacked.peekFirst();
    return p == null ? Long.MAX_VALUE : p.stampMs();
  }

  synchronized int unackedBatches() {
    return unacked.size();
  }

  synchronized long dropped() {
    return dropped;
  }

  /**
   * A round (its seq is set here): value i is series i's sample at {@code stampMs}; kept until
   * acked, sent at once when the stream is up.
   */
  synchronized void collected(long stampMs, double[] values) {
    if (stopped) {
      return;
    }
    if (values.length > series.length) {
      throw new IllegalArgumentException("values: " + values.length + " (expected: <= " + series.length + ")");
    }
    Pending p = new Pending(nextSeq, stampMs, values, new long[1]);
    nextSeq++;
    if (unacked.size() >= maxBuffered) {
      unacked.pollFirst();
      dropped++;
    }
    unacked.addLast(p);
    if (up) {
      send(p);
    }
  }

  synchronized void stop() {
    stopped = true;
    if (out != null) {
      try {
        out.onCompleted();
      } catch (RuntimeException e) {
        // already over
      }
    }
  }

  private void open() {
    if (stopped) {
      return;
    }
    ClientResponseObserver<AgentMessage, ServerMessage> in = new ClientResponseObserver<>() {
      private ClientCallStreamObserver<AgentMessage> call;

      @Override
      public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
        call = requestStream;
        out = requestStream; // before the call starts: a failure delivered inline must see it current
      }

      @Override
      public void onNext(ServerMessage m) {
        received(call, m);
      }

      @Override
      public void onError(Throwable t) {
        ended(call, t.toString());
      }

      @Override
      public void onCompleted() {
        ended(call, "server ended the stream");
      }
    };
    if (channel.getState(false) == io.grpc.ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff(); // our backoff decides, not the channel's (as the real agent)
    }
    defined = false; // refs are per stream
    ClientCallStreamObserver<AgentMessage> o =
        (ClientCallStreamObserver<AgentMessage>) AgentServiceGrpc.newStub(channel).connect(in);
    if (out != o) {
      return; // failed at once (delivered inline on this thread); a reopen is already scheduled
    }
    Hello.Builder h = Hello.newBuilder().setNodeId(nodeId).setHostname(nodeId).setOs("Linux bench")
        .setAgentVersion("bench").setIntervalMs(10_000).setSeqEpoch(epoch);
    if (secret.isEmpty()) {
      h.setEnrollmentToken(token);
    } else {
      h.setNodeSecret(secret);
    }
    o.onNext(AgentMessage.newBuilder().setHello(h).build());
  }

  private synchronized void received(ClientCallStreamObserver<AgentMessage> call, ServerMessage m) {
    if (call != out) {
      return; // an old stream's late message
    }
    switch (m.getKindCase()) {
      case ENROLLED -> secret = m.getEnrolled().getNodeSecret();
      case CONFIG -> {
        if (!up) {
          up = true;
          failures = 0;
          listener.connected(this);
          sendBacklog();
        }
      }
      case ACK -> {
        long seq = m.getAck().getSeq();
        while (!unacked.isEmpty() && unacked.peekFirst().seq() <= seq) {
          Pending p = unacked.pollFirst();
          // Acks are cumulative: a merged message's ack covers every round merged into it.
          long refused = p.seq() == seq ? m.getAck().getRejectedSamples() : 0;
          if (p.sentNanos()[0] != 0) {
            listener.acked(this, p.samples() - refused, p.sentNanos()[0], p.stampMs());
          }
        }
      }
      case REJECT -> {
        var r = m.getReject();
        listener.failed(this, "reject " + r.getCode() + " seq " + r.getSeq() + ": " + r.getReason());
        if (!r.getFatal() && r.getSeq() != 0) {
          unacked.removeIf(p -> p.seq() == r.getSeq());
        }
      }
      default -> { }
    }
  }

  private synchronized void ended(ClientCallStreamObserver<AgentMessage> call, String why) {
    if (call != out || stopped) {
      return;
    }
    if (up) {
      listener.failed(this, why);
    }
    up = false;
    out = null;
    failures++;
    long backoff = Math.min(5_000, 500L << Math.min(failures - 1, 4));
    timer.schedule(this::reopen, ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1), TimeUnit.MILLISECONDS);
  }

  private synchronized void reopen() {
    if (out == null) {
      open();
    }
  }

  private void send(Pending p) {
    p.sentNanos()[0] = System.nanoTime();
    out.onNext(AgentMessage.newBuilder().setBatch(batch(p, !defined)).build());
    defined = true;
  }

  /**
   * Every unacked round, as the agent replays a backlog: consecutive rounds merged into one
   * message under the last one's seq (at most {@link #MAX_MERGED_ROUNDS} rounds and
   * {@link #MAX_MERGED_SAMPLES} samples, the agent's {@code BatchMerger} bounds).
   */
  private void sendBacklog() {
    List<Pending> group = new ArrayList<>();
    int samples = 0;
    for (Pending p : unacked) {
      if (!group.isEmpty() && (group.size() >= MAX_MERGED_ROUNDS || samples + p.samples() > MAX_MERGED_SAMPLES)) {
        sendMerged(group);
        group.clear();
        samples = 0;
      }
      group.add(p);
      samples += (int) p.samples();
    }
    if (!group.isEmpty()) {
      sendMerged(group);
    }
  }

  private void sendMerged(List<Pending> group) {
    if (group.size() == 1) {
      send(group.get(0));
      return;
    }
    long now = System.nanoTime();
    MetricBatch.Builder b = MetricBatch.newBuilder().setSeq(group.get(group.size() - 1).seq());
    for (int i = 0; i < series.length; i++) {
      Series.Builder s = null;
      for (Pending p : group) {
        if (i < p.values().length) {
          if (s == null) {
            Series t = series[i];
            s = !defined || t.getRef() == 0 ? t.toBuilder() : Series.newBuilder().setRef(t.getRef());
          }
          s.addSamples(Sample.newBuilder().setTimestampMs(p.stampMs()).setValue(p.values()[i]));
        }
      }
      if (s != null) {
        b.addSeries(s);
      }
    }
    for (Pending p : group) {
      p.sentNanos()[0] = now;
    }
    out.onNext(AgentMessage.newBuilder().setBatch(b).build());
    defined = true;
  }

  private MetricBatch batch(Pending p, boolean define) {
    return batch(series, p.seq(), p.stampMs(), p.values(), define);
  }

  /**
   * A round as the agent sends it: value i as series i's sample at {@code stampMs}, with each
   * series' labels on a stream's first batch ({@code define}), with refs alone afterwards.
   */
  static MetricBatch batch(Series[] series, long seq, long stampMs, double[] values, boolean define) {
    MetricBatch.Builder b = MetricBatch.newBuilder().setSeq(seq);
    for (int i = 0; i < values.length; i++) {
      Series t = series[i];
      Series.Builder s = define || t.getRef() == 0 ? t.toBuilder() : Series.newBuilder().setRef(t.getRef());
      b.addSeries(s.addSamples(Sample.newBuilder().setTimestampMs(stampMs).setValue(values[i])));
    }
    return b.build();
  }
}
