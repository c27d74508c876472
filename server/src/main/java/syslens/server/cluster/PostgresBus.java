package syslens.server.cluster;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus over PostgreSQL's LISTEN/NOTIFY on channel {@value #CHANNEL}: one dedicated connection
 * listens (reconnecting with backoff when it is lost, then running the resync handlers);
 * messages are sent with {@code pg_notify} through the metadata pool. A payload is
 * {@code instance|topic|body}; an instance ignores its own.
 */
public final class PostgresBus implements ClusterBus {
  private static final Logger log = LoggerFactory.getLogger(PostgresBus.class);
  static final String CHANNEL = "syslens_cluster";
  /** How long one wait for notifications lasts; the connection is checked between waits. */
  static final int POLL_MS = 500;
  static final Duration CHECK_EVERY = Duration.ofSeconds(5);
  static final Duration BACKOFF_MAX = Duration.ofSeconds(5);

  private final String url;
  private final Properties props = new Properties();
  private final DataSource pool;
  private final Clock clock;
  private final String id = UUID.randomUUID().toString();
  private final Map<String, List<BiConsumer<String, String>>> handlers = new ConcurrentHashMap<>();
  private final List<Runnable> resync = new CopyOnWriteArrayList<>();
  private final Thread listener;
  private volatile String problem = "not connected yet";
  private volatile boolean closed;
  private volatile Connection connection;

  private PostgresBus(String url, String user, String password, DataSource pool, Clock clock) {
    this.url = requireNonNull(url, "url");
    this.pool = requireNonNull(pool, "pool");
    this.clock = requireNonNull(clock, "clock");
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("tcpKeepAlive", "true");
    props.setProperty("connectTimeout", "5");
    props.setProperty("socketTimeout", "30");
    props.setProperty("ApplicationName", "syslens-cluster-bus");
    this.listener = new Thread(this::run, "syslens-cluster-bus");
    listener.setDaemon(true);
  }

  /** A bus on the PostgreSQL at {@code url}; {@code pool} (the metadata pool) sends. */
  public static PostgresBus create(String url, String user, String password, DataSource pool, Clock clock) {
    return new PostgresBus(url, user, password, pool, clock);
  }

  @Override
  public String instanceId() {
    return id;
  }

  @Override
  public boolean clustered() {
    return true;
  }

  @Override
  public void subscribe(String topic, BiConsumer<String, String> handler) {
    checkTopic(topic);
    handlers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(requireNonNull(handler, "handler"));
  }

  @Override
  public void onResync(Runnable handler) {
    resync.add(requireNonNull(handler, "handler"));
  }

  @Override
  public boolean publish(String topic, String body) {
    checkTopic(topic);
    ClusterBus.checkBody(topic, requireNonNull(body, "body"));
    try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, CHANNEL);
      ps.setString(2, id + "|" + topic + "|" + body);
      ps.execute();
      return true;
    } catch (SQLException e) {
      log.warn("cluster bus: sending a {} message failed: {}", topic, e.getMessage());
      return false;
    }
  }

  @Override
  public String problem() {
    return problem;
  }

  @Override
  public void start() {
    listener.start();
  }

  private void run() {
    long backoff = 100;
    while (!closed) {
      try (Connection c = DriverManager.getConnection(url, props)) {
        connection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        if (problem != null && !problem.equals("not connected yet")) {
          log.info("cluster bus: listening again on PostgreSQL");
        }
        problem = null;
        backoff = 100;
        resync.forEach(PostgresBus::runSafely);
        listen(c);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        String was = problem;
        problem = "PostgreSQL LISTEN connection lost: " + e.getMessage() + " (reconnecting)";
        if (was == null) {
          log.error("cluster bus: {}", problem);
        }
        try {
          Thread.sleep(backoff); // reconnect backoff, interrupted by close()
        } catch (InterruptedException ie) {
          break;
        }
        backoff = Math.min(BACKOFF_MAX.toMillis(), backoff * 2);
      } finally {
        connection = null;
      }
    }
  }

  private void listen(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long nextCheck = clock.millis() + CHECK_EVERY.toMillis();
    while (!closed) {
      PGNotification[] got = pg.getNotifications(POLL_MS);
      if (got != null) {
        for (PGNotification n : got) {
          dispatch(n.getParameter());
        }
      }
      if (clock.millis() >= nextCheck) {
        // A cut route shows no error on an idle socket: a round trip finds it.
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1");
        }
        nextCheck = clock.millis() + CHECK_EVERY.toMillis();
      }
    }
  }

  void dispatch(String payload) {
    int a = payload.indexOf('|');
    int b = a < 0 ? -1 : payload.indexOf('|', a + 1);
    if (b < 0) {
      log.warn("cluster bus: ignoring a malformed message of {} chars", payload.length());
      return;
    }
    String from = payload.substring(0, a);
    if (from.equals(id)) {
      return;
    }
    List<BiConsumer<String, String>> hs = handlers.get(payload.substring(a + 1, b));
    if (hs == null) {
      return;
    }
    String body = payload.substring(b + 1);
    for (BiConsumer<String, String> h : hs) {
      try {
        h.accept(from, body);
      } catch (RuntimeException e) {
        log.warn("cluster bus: handling a message from {} failed", from, e);
      }
    }
  }

  private static void runSafely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("cluster bus: resynchronising failed", e);
    }
  }

  private static void checkTopic(String topic) {
    if (topic == null || !topic.matches("[a-z][a-z0-9-]{0,31}")) {
      throw new IllegalArgumentException("cluster topic: " + topic + " (expected: [a-z][a-z0-9-]{0,31})");
    }
  }

  @Override
  public void close() {
    closed = true;
    listener.interrupt();
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
    try {
      listener.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
