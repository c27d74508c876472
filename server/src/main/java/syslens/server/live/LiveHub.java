package syslens.server.live;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.websocket.WebSocket;
import com.linecorp.armeria.common.websocket.WebSocketCloseStatus;
import com.linecorp.armeria.common.websocket.WebSocketWriter;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.websocket.WebSocketServiceHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import syslens.server.ingest.NodeRegistry;
import syslens.server.ingest.NodeRegistry.NodeView;

/**
 * {@code /api/v1/live}: pushes a snapshot of all nodes on connect, then each node's
 * {@link LiveSample} after every batch and status changes. Messages the client does not read
 * pile up only to {@link #MAX_PENDING}; past that the client is dropped (it reconnects).
 */
public final class LiveHub implements WebSocketServiceHandler {
  static final int MAX_PENDING = 512;
  static final int MAX_CLIENTS = 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final NodeRegistry registry;
  private final NodeSummaries summaries;
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();

  private static final class Client {
    final WebSocketWriter out;
    final AtomicInteger pending = new AtomicInteger();

    Client(WebSocketWriter out) {
      this.out = out;
    }
  }

  public LiveHub(NodeRegistry registry, NodeSummaries summaries) {
    this.registry = requireNonNull(registry, "registry");
    this.summaries = requireNonNull(summaries, "summaries");
    registry.onStatusChange(this::publishStatus);
  }

  @Override
  public WebSocket handle(ServiceRequestContext ctx, WebSocket in) {
    WebSocketWriter out = WebSocket.streaming();
    if (clients.size() >= MAX_CLIENTS) {
      out.close(WebSocketCloseStatus.TRY_AGAIN_LATER, "too many live clients");
      return out;
    }
    Client c = new Client(out);
    clients.add(c);
    out.whenComplete().handle((v, e) -> clients.remove(c));
    // Inbound frames carry nothing we need; drain them so the stream completes on close.
    in.subscribe(new org.reactivestreams.Subscriber<>() {
      @Override
      public void onSubscribe(org.reactivestreams.Subscription s) {
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(com.linecorp.armeria.common.websocket.WebSocketFrame f) {
        f.close();
      }

      @Override
      public void onError(Throwable t) {
        clients.remove(c);
        out.close();
      }

      @Override
      public void onComplete() {
        clients.remove(c);
        out.close();
      }
    });
    List<Map<String, Object>> nodes = registry.list().stream()
        .map(n -> NodeJson.of(n, summaries)).toList();
    Map<String, Object> snapshot = new LinkedHashMap<>();
    snapshot.put("type", "snapshot");
    snapshot.put("nodes", nodes);
    send(c, toJson(snapshot));
    return out;
  }

  public int clientCount() {
    return clients.size();
  }

  public void publishSample(LiveSample s) {
    if (clients.isEmpty()) {
      return;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "sample");
    m.put("nodeId", s.nodeId());
    m.put("t", s.t());
    m.put("cpuPercent", s.cpuPercent());
    m.put("memoryPercent", s.memoryPercent());
    m.put("load1", s.load1());
    m.put("netRxBytesPerSec", s.netRxBytesPerSec());
    m.put("netTxBytesPerSec", s.netTxBytesPerSec());
    m.put("diskReadBytesPerSec", s.diskReadBytesPerSec());
    m.put("diskWriteBytesPerSec", s.diskWriteBytesPerSec());
    broadcast(toJson(m));
  }

  private void publishStatus(NodeView n) {
    if (clients.isEmpty()) {
      return;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "status");
    m.put("nodeId", n.id());
    m.put("status", n.online() ? "online" : "offline");
    m.put("lastSeen", n.lastSeen());
    broadcast(toJson(m));
  }

  private void broadcast(String json) {
    for (Client c : clients) {
      send(c, json);
    }
  }

  private void send(Client c, String json) {
    if (c.pending.incrementAndGet() > MAX_PENDING) {
      clients.remove(c);
      c.out.abort(); // a close frame would queue behind the frames the client does not read
      return;
    }
    if (!c.out.tryWrite(json)) {
      clients.remove(c);
      return;
    }
    c.out.whenConsumed().thenRun(() -> c.pending.decrementAndGet());
  }

  private static String toJson(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
