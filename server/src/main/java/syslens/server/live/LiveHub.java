package syslens.server.live;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.websocket.WebSocket;
import com.linecorp.armeria.common.websocket.WebSocketCloseStatus;
import com.linecorp.armeria.common.websocket.WebSocketFrame;
import com.linecorp.armeria.common.websocket.WebSocketFrameType;
import com.linecorp.armeria.common.websocket.WebSocketWriter;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.websocket.WebSocketServiceHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import syslens.server.auth.RequestScope;
import syslens.server.ingest.NodeRegistry;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.ScopedQueryable;
import syslens.server.ingest.NodeRegistry.NodeView;

/**
 * {@code /api/v1/live}: pushes a snapshot of all nodes on connect, then each node's
 * {@link LiveSample} after every batch and status changes. A client whose principal is scoped
 * receives only the nodes (snapshot, samples, status) whose labels are in its scope, decided
 * per message from the node's current labels. A client may narrow the feed to the nodes it shows
 * ({@link LiveSubscription}: {@code ?subscribe=none} at connect, then {@code {"type":"subscribe",...}}
 * frames, each answered with a snapshot of the subscribed nodes). Messages the client does not read
 * pile up only to {@link #MAX_PENDING}; past that the client is dropped (it reconnects).
 */
public final class LiveHub implements WebSocketServiceHandler {
  static final int MAX_PENDING = 512;
  static final int MAX_CLIENTS = 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final NodeRegistry registry;
  private final NodeSummaries summaries;
  private final RequestScope scopes;
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  /** Clients with a scope; when there are none, messages go to everyone without a lookup. */
  private final AtomicInteger scopedClients = new AtomicInteger();

  private static final class Client {
    final WebSocketWriter out;
    final AtomicInteger pending = new AtomicInteger();
    /** Null when unscoped. */
    final List<List<Matcher>> scope;
    volatile LiveSubscription sub = LiveSubscription.ALL;

    Client(WebSocketWriter out, List<List<Matcher>> scope) {
      this.out = out;
      this.scope = scope;
    }
  }

  public LiveHub(NodeRegistry registry, NodeSummaries summaries, RequestScope scopes) {
    this.registry = requireNonNull(registry, "registry");
    this.summaries = requireNonNull(summaries, "summaries");
    this.scopes = requireNonNull(scopes, "scopes");
    registry.onStatusChange(this::publishStatus);
  }

  @Override
  public WebSocket handle(ServiceRequestContext ctx, WebSocket in) {
    WebSocketWriter out = WebSocket.streaming();
    if (clients.size() >= MAX_CLIENTS) {
      out.close(WebSocketCloseStatus.TRY_AGAIN_LATER, "too many live clients");
      return out;
    }
    Client c = new Client(out, scopes.of(ctx));
    try {
      c.sub = LiveSubscription.atConnect(ctx.queryParam("subscribe"));
    } catch (IllegalArgumentException e) {
      send(c, error(e.getMessage()));
      out.close(WebSocketCloseStatus.POLICY_VIOLATION, "bad subscribe parameter");
      return out;
    }
    // The snapshot goes out before the client joins the broadcasts, so it is always the first message.
    // It is built off the event loop: on a fleet of 10,000 nodes it is megabytes of JSON, and the
    // loop also serves the page's other requests.
    ctx.blockingTaskExecutor().execute(() -> {
      if (out.isOpen()) {
        sendSnapshot(c);
        add(c);
        if (!out.isOpen()) {
          remove(c); // closed meanwhile: its whenComplete may have run before add
        }
      }
    });
    out.whenComplete().whenComplete((v, e) -> remove(c));
    // Inbound frames: subscriptions, one at a time (the next is read once the last one's snapshot is sent).
    in.subscribe(new Subscriber<>() {
      private Subscription upstream;

      @Override
      public void onSubscribe(Subscription s) {
        upstream = s;
        s.request(1);
      }

      @Override
      public void onNext(WebSocketFrame f) {
        WebSocketFrameType type = f.type();
        boolean last = f.isFinalFragment();
        String text = type == WebSocketFrameType.TEXT && last ? f.text() : null;
        f.close();
        if (text == null) {
          if (type == WebSocketFrameType.TEXT
              || type == WebSocketFrameType.BINARY
              || type == WebSocketFrameType.CONTINUATION) {
            send(c, error("frame: " + type + (last ? "" : " fragment")
                + " (expected: one text frame of at most 64 KiB)"));
          }
          upstream.request(1);
          return;
        }
        try {
          c.sub = LiveSubscription.parse(text);
        } catch (IllegalArgumentException e) {
          send(c, error(e.getMessage()));
          upstream.request(1);
          return;
        }
        ctx.blockingTaskExecutor().execute(() -> {
          if (out.isOpen()) {
            sendSnapshot(c);
          }
          upstream.request(1);
        });
      }

      @Override
      public void onError(Throwable t) {
        remove(c);
        out.close();
      }

      @Override
      public void onComplete() {
        remove(c);
        out.close();
      }
    });
    return out;
  }

  /**
   * Sends the client a snapshot of the nodes of its subscription it may see. Serialised per client,
   * so the last snapshot sent is of the newest subscription.
   */
  private void sendSnapshot(Client c) {
    synchronized (c) {
      LiveSubscription sub = c.sub;
      List<NodeView> nodes = sub.all() ? registry.list()
          : sub.nodes().stream().map(id -> registry.find(id).orElse(null)).filter(Objects::nonNull).toList();
      Map<String, Object> snapshot = new LinkedHashMap<>();
      snapshot.put("type", "snapshot");
      snapshot.put("nodes", nodes.stream().filter(n -> ScopedQueryable.visible(c.scope, NodeJson.scopeLabels(n)))
          .map(n -> NodeJson.of(n, summaries)).toList());
      send(c, toJson(snapshot));
    }
  }

  private static String error(String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "error");
    m.put("message", message);
    return toJson(m);
  }

  public int clientCount() {
    return clients.size();
  }

  private void add(Client c) {
    if (clients.add(c) && c.scope != null) {
      scopedClients.incrementAndGet();
    }
  }

  private void remove(Client c) {
    if (clients.remove(c) && c.scope != null) {
      scopedClients.decrementAndGet();
    }
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
    m.put("diskPercent", s.diskPercent());
    broadcast(s.nodeId(), null, toJson(m));
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
    broadcast(n.id(), n, toJson(m));
  }

  /** Sends to every client that may see node {@code nodeId} ({@code view} when at hand). */
  private void broadcast(String nodeId, NodeView view, String json) {
    Labels labels = null;
    if (scopedClients.get() > 0) {
      NodeView n = view != null ? view : registry.find(nodeId).orElse(null);
      labels = n == null ? null : NodeJson.scopeLabels(n);
    }
    for (Client c : clients) {
      if (c.sub.includes(nodeId) && (c.scope == null || (labels != null && ScopedQueryable.visible(c.scope, labels)))) {
        send(c, json);
      }
    }
  }

  private void send(Client c, String json) {
    if (c.pending.incrementAndGet() > MAX_PENDING) {
      remove(c);
      c.out.abort(); // a close frame would queue behind the frames the client does not read
      return;
    }
    if (!c.out.tryWrite(json)) {
      remove(c);
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
