package syslens.server.cluster;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which server instances are alive and who holds which exclusive work, in PostgreSQL (tables of
 * migration V11; times are the database's clock, so instances need not agree on theirs).
 * <ul>
 *   <li>Members: each instance repeats its row every {@link #HEARTBEAT}; one silent for
 *       {@link #MEMBER_TIMEOUT} is gone. Work shared out by key (rule groups) goes to the live
 *       member of a role that rendezvous hashing picks ({@link #owner}): when one dies only its
 *       keys move, each to one of the others.</li>
 *   <li>Leases: a named row with an owner and an expiry ({@link #LEASE_TTL}), renewed by its
 *       holder each heartbeat, taken by another only once expired. {@link #holds} answers from
 *       the last renewal by the local monotonic clock, with a margin, so an instance cut off from
 *       the database stops working before anyone else may start.</li>
 * </ul>
 * Not thread-safe for writers: one thread (the cluster's scheduler) calls {@link #heartbeat} and
 * the lease methods; {@link #owns}, {@link #holds} and {@link #live} may be called from any.
 */
public final class Membership {
  private static final Logger log = LoggerFactory.getLogger(Membership.class);
  public static final Duration HEARTBEAT = Duration.ofSeconds(1);
  public static final Duration MEMBER_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration LEASE_TTL = Duration.ofSeconds(5);
  /** A held lease counts locally for this much less than its TTL since the renewal was sent. */
  static final Duration LOCAL_MARGIN = Duration.ofMillis(1500);
  /** Rows of members gone this long are deleted. */
  static final Duration FORGET_AFTER = Duration.ofHours(1);
  private static final String NOW = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

  /** A live instance. */
  public record Member(String id, Set<String> roles, String address) {}

  /** A lease as the database has it, with the database's time of reading. */
  public record Lease(String name, String owner, long expiresAt, long now) {
    public boolean expired() {
      return expiresAt < now;
    }
  }

  private final DataSource db;
  private final String id;
  private final String roles;
  private final String address;
  private final LongSupplier nanos;
  private volatile List<Member> live = List.of();
  /** When the last heartbeat that succeeded was sent (local nanos), or Long.MIN_VALUE. */
  private volatile long lastBeat = Long.MIN_VALUE;
  private final Map<String, Long> heldUntil = new ConcurrentHashMap<>();
  private long beats = -1;
  private String problem = "no heartbeat yet";
  /**
   * The connection heartbeats go over, kept open: its PostgreSQL session ends when this process
   * dies, which the others see at once (see {@link #LIVE}). Only the heartbeat thread uses it.
   */
  private Connection session;
  private int sessionPid;
  private long sessionStart;
  /** A backend's start in microseconds, as the members table keeps it. */
  private static final String BACKEND_START = "CAST(EXTRACT(EPOCH FROM backend_start) * 1000000 AS BIGINT)";
  /**
   * Live: a heartbeat within the timeout, and the session it was written over still open (or
   * not known, or its start hidden from this database user). A SIGKILLed instance's session ends
   * with its process, so it drops out at the others' next heartbeat rather than after the timeout;
   * one cut off by the network still drops out after the timeout.
   */
  static final String LIVE = "SELECT m.instance_id, m.roles, m.address FROM cluster_members m WHERE m.heartbeat_at >= "
      + NOW + " - ? AND (m.session_pid IS NULL OR EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = "
      + "m.session_pid AND (a.backend_start IS NULL OR CAST(EXTRACT(EPOCH FROM a.backend_start) * 1000000 AS BIGINT) "
      + "= m.session_start))) ORDER BY m.instance_id";

  private Membership(DataSource db, String id, Collection<String> roles, String address, LongSupplier nanos) {
    this.db = requireNonNull(db, "db");
    this.id = requireNonNull(id, "id");
    this.roles = String.join(",", requireNonNull(roles, "roles"));
    this.address = requireNonNull(address, "address");
    this.nanos = requireNonNull(nanos, "nanos");
  }

  /** The instance {@code id} with {@code roles}, reachable at {@code address} (shown to operators). */
  public static Membership create(DataSource db, String id, Collection<String> roles, String address) {
    return new Membership(db, id, roles, address, System::nanoTime);
  }

  /** As {@link #create}, with the monotonic clock {@code nanos} (tests). */
  static Membership create(DataSource db, String id, Collection<String> roles, String address, LongSupplier nanos) {
    return new Membership(db, id, roles, address, nanos);
  }

  public String instanceId() {
    return id;
  }

  /** Repeats this instance's row and reads who is alive; false (logged once) when the database did not answer. */
  public boolean heartbeat() {
    long sent = nanos.getAsLong();
    try {
      Connection c = session();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_members (instance_id, roles, address, "
          + "started_at, heartbeat_at, session_pid, session_start) VALUES (?, ?, ?, " + NOW + ", " + NOW + ", ?, ?) "
          + "ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, roles = EXCLUDED.roles, "
          + "address = EXCLUDED.address, session_pid = EXCLUDED.session_pid, session_start = EXCLUDED.session_start")) {
        ps.setString(1, id);
        ps.setString(2, roles);
        ps.setString(3, address);
        ps.setInt(4, sessionPid);
        ps.setLong(5, sessionStart);
        ps.executeUpdate();
      }
      List<Member> members = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(LIVE)) {
        ps.setLong(1, MEMBER_TIMEOUT.toMillis());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            members.add(new Member(rs.getString(1), Set.of(rs.getString(2).split(",")), rs.getString(3)));
          }
        }
      }
      if (beats < 0 || (beats++ % 600) == 0) { // now and then: rows of instances long gone
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM cluster_members WHERE heartbeat_at < " + NOW
            + " - ?")) {
          ps.setLong(1, FORGET_AFTER.toMillis());
          ps.executeUpdate();
        }
      }
      live = List.copyOf(members);
      lastBeat = sent;
      if (problem != null && !problem.equals("no heartbeat yet")) {
        log.info("cluster membership: heartbeat written again");
      }
      problem = null;
      return true;
    } catch (SQLException e) {
      closeSession(); // opened again at the next heartbeat, as a new session
      if (problem == null) {
        log.error("cluster membership: heartbeat failed ({}); this instance gives up shared work after {} s",
            e.getMessage(), MEMBER_TIMEOUT.toSeconds());
      }
      problem = e.getMessage();
      return false;
    }
  }

  /** The heartbeat connection, opened (and its session's pid and start read) when there is none. */
  private Connection session() throws SQLException {
    if (session != null) {
      return session;
    }
    Connection c = db.getConnection();
    try {
      c.setAutoCommit(true);
      try (PreparedStatement ps = c.prepareStatement("SELECT pid, " + BACKEND_START
          + " FROM pg_stat_activity WHERE pid = pg_backend_pid()");
          ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("pg_stat_activity has no row for this session");
        }
        sessionPid = rs.getInt(1);
        sessionStart = rs.getLong(2);
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    session = c;
    return c;
  }

  private void closeSession() {
    Connection c = session;
    session = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        log.debug("cluster membership: closing the heartbeat session: {}", e.getMessage());
      }
    }
  }

  /** False when this instance's own heartbeat is older than the timeout: the others count it as gone. */
  public boolean healthy() {
    long beat = lastBeat;
    return beat != Long.MIN_VALUE && nanos.getAsLong() - beat < MEMBER_TIMEOUT.minus(LOCAL_MARGIN).toNanos();
  }

  /** Live members as of the last heartbeat (this one included once it has written its row). */
  public List<Member> live() {
    return live;
  }

  /** Ids of the live members that have {@code role}, sorted. */
  public List<String> live(String role) {
    return live.stream().filter(m -> m.roles().contains(role)).map(Member::id).toList();
  }

  /** True when rendezvous hashing gives {@code key} to this instance among the live members of {@code role}. */
  public boolean owns(String role, String key) {
    if (!healthy()) {
      return false;
    }
    String o = owner(key, live(role));
    return id.equals(o);
  }

  /**
   * Rendezvous (highest random weight) hashing: the member whose hash with {@code key} is highest;
   * null when there are none. Removing a member moves only its keys, spread over the others.
   */
  public static String owner(String key, List<String> members) {
    String best = null;
    long bestWeight = 0;
    for (String m : members) {
      long w = weight(m, key);
      if (best == null || Long.compareUnsigned(w, bestWeight) > 0 || (w == bestWeight && m.compareTo(best) < 0)) {
        best = m;
        bestWeight = w;
      }
    }
    return best;
  }

  /** FNV-1a over member, NUL, key, then SplitMix64's finaliser (FNV alone mixes its last bytes poorly). */
  static long weight(String member, String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (member + "\u0000" + key).getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  /**
   * Takes or renews lease {@code name}: true when this instance holds it now (it was free,
   * expired, or already this instance's). False too when the database did not answer.
   */
  public boolean acquire(String name) {
    long sent = nanos.getAsLong();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_leases AS l (name, owner, acquired_at, "
            + "expires_at) VALUES (?, ?, " + NOW + ", " + NOW + " + ?) ON CONFLICT (name) DO UPDATE SET "
            + "owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at, acquired_at = CASE WHEN l.owner = "
            + "EXCLUDED.owner THEN l.acquired_at ELSE EXCLUDED.acquired_at END "
            + "WHERE l.owner = EXCLUDED.owner OR l.expires_at < " + NOW + " RETURNING owner")) {
      c.setAutoCommit(true);
      ps.setString(1, name);
      ps.setString(2, id);
      ps.setLong(3, LEASE_TTL.toMillis());
      boolean mine;
      try (ResultSet rs = ps.executeQuery()) {
        mine = rs.next() && id.equals(rs.getString(1));
      }
      if (mine) {
        heldUntil.put(name, sent + LEASE_TTL.minus(LOCAL_MARGIN).toNanos());
      } else {
        heldUntil.remove(name);
      }
      return mine;
    } catch (SQLException e) {
      log.warn("cluster lease {}: {}", name, e.getMessage());
      return holds(name);
    }
  }

  /** Gives lease {@code name} up (deleted when this instance holds it). */
  public void release(String name) {
    heldUntil.remove(name);
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM cluster_leases WHERE name = ? AND owner = ?")) {
      c.setAutoCommit(true);
      ps.setString(1, name);
      ps.setString(2, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      log.warn("cluster lease {}: release failed ({}); it expires in {} s", name, e.getMessage(),
          LEASE_TTL.toSeconds());
    }
  }

  /** True while the last successful renewal of {@code name} is recent enough (see the class comment). */
  public boolean holds(String name) {
    Long until = heldUntil.get(name);
    if (until == null) {
      return false;
    }
    if (nanos.getAsLong() - until >= 0) {
      heldUntil.remove(name, until);
      return false;
    }
    return true;
  }

  /** Names of the leases this instance holds now. */
  public List<String> held() {
    return heldUntil.keySet().stream().filter(this::holds).sorted().toList();
  }

  /** Deletes this instance's row (a clean stop: the others share its work out at once) and ends its session. */
  public void leave() {
    closeSession();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM cluster_members WHERE instance_id = ?")) {
      c.setAutoCommit(true);
      ps.setString(1, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      log.warn("cluster membership: leaving failed ({}); the others notice in {} s", e.getMessage(),
          MEMBER_TIMEOUT.toSeconds());
    }
  }

  /** Leases whose name starts with {@code prefix}, by name. */
  public Map<String, Lease> leases(String prefix) {
    Map<String, Lease> out = new HashMap<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name, owner, expires_at, " + NOW
            + " FROM cluster_leases WHERE name LIKE ?")) {
      ps.setString(1, prefix.replace("%", "\\%").replace("_", "\\_") + "%");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new Lease(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
        }
      }
    } catch (SQLException e) {
      log.warn("cluster leases {}*: {}", prefix, e.getMessage());
      return null;
    }
    return out;
  }
}
