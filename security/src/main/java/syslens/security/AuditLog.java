package syslens.security;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;

/**
 * Append-only audit records, each chained to the previous one by SHA-256 over its fields and the
 * previous hash, so a modified, inserted or deleted record breaks the chain at that point.
 * Retention removes only records older than {@link #MIN_RETENTION} (never younger) and keeps the
 * hash the remaining chain starts from. One writer per database: appends are serialized here, and
 * appends that arrive while one is being written are written together in one transaction (group
 * commit: thousands of agents enrolling at once each add a record, and one transaction per record
 * was what bounded enrolment to tens of nodes a second). Each caller still returns only once its
 * own record is committed, and the chain is computed in the order the records are written.
 */
public final class AuditLog {
  public static final Duration MIN_RETENTION = Duration.ofDays(366);
  static final String GENESIS = "0".repeat(64);
  static final int MAX_FIELD = 255;
  static final int MAX_DETAIL = 2048;

  /** One stored record. */
  public record Entry(long seq, long atMs, String actor, String action, String target, String source,
      String detail, String prevHash, String hash) {}

  /** The outcome of {@link #verify()}: ok, or the first record where the chain breaks. */
  public record Verification(boolean ok, long checked, long firstBadSeq, String problem) {}

  /** Most records written in one transaction. */
  static final int MAX_GROUP = 256;

  private final DataSource db;
  private final Clock clock;
  /** Held by the one writer (and by {@link #prune}); guards lastSeq and lastHash. */
  private final java.util.concurrent.locks.ReentrantLock writer = new java.util.concurrent.locks.ReentrantLock();
  /** Records waiting for the writer, oldest first. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Pending> queue =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private long lastSeq = -1;
  private String lastHash;

  /** One record on its way: its fields (cut), then its entry or why it failed. */
  private static final class Pending {
    final Entry fields;
    Entry written;
    RuntimeException failed;
    volatile boolean done;

    Pending(Entry fields) {
      this.fields = fields;
    }
  }

  AuditLog(DataSource db, Clock clock) {
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The audit log of a metadata database, for tools (e.g. {@code syslens admin audit verify}). */
  public static AuditLog open(DataSource db, Clock clock) {
    SecuritySchema.migrate(db);
    return new AuditLog(db, clock);
  }

  /**
   * Appends a record (fields cut to their column sizes); returns once it is committed. Records
   * appended meanwhile by other threads are committed in the same transaction.
   */
  public Entry append(String actor, String action, String target, String source, String detail) {
    Pending p = new Pending(new Entry(-1, 0, cut(actor, 128), cut(action, 64), cut(target, MAX_FIELD),
        cut(source, 64), cut(detail, MAX_DETAIL), null, null));
    queue.add(p);
    writer.lock();
    try {
      while (!p.done) {
        writeQueued(); // ours, and whatever queued behind it
      }
    } finally {
      writer.unlock();
    }
    if (p.failed != null) {
      throw p.failed;
    }
    return p.written;
  }

  /** Records waiting to be written (tests). */
  int queued() {
    return queue.size();
  }

  /** Writes up to {@link #MAX_GROUP} queued records in one transaction; with the writer lock held. */
  private void writeQueued() {
    List<Pending> group = new ArrayList<>();
    Pending next;
    while (group.size() < MAX_GROUP && (next = queue.poll()) != null) {
      group.add(next);
    }
    if (group.isEmpty()) {
      return;
    }
    long seq = lastSeq;
    String hash = lastHash;
    long at = clock.millis(); // the time of writing, so records' times never go back along the chain
    try (Connection c = db.getConnection()) {
      if (hash == null) {
        loadHead(c);
        seq = lastSeq;
        hash = lastHash;
      }
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (seq, at_ms, actor, action, "
          + "target, source, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (Pending p : group) {
          Entry f = p.fields;
          Entry e = new Entry(++seq, at, f.actor(), f.action(), f.target(), f.source(), f.detail(), hash, null);
          hash = hash(e);
          p.written = new Entry(e.seq(), e.atMs(), e.actor(), e.action(), e.target(), e.source(), e.detail(),
              e.prevHash(), hash);
          ps.setLong(1, e.seq());
          ps.setLong(2, e.atMs());
          ps.setString(3, e.actor());
          ps.setString(4, e.action());
          ps.setString(5, e.target());
          ps.setString(6, e.source());
          ps.setString(7, e.detail());
          ps.setString(8, e.prevHash());
          ps.setString(9, hash);
          ps.addBatch();
        }
        ps.executeBatch();
        saveHead(c, seq, hash);
        c.commit();
      } catch (SQLException | RuntimeException ex) {
        c.rollback();
        throw ex;
      } finally {
        c.setAutoCommit(auto);
      }
      lastSeq = seq;
      lastHash = hash;
    } catch (SQLException | RuntimeException ex) {
      lastHash = null; // reload the head next time
      for (Pending p : group) {
        p.written = null;
        p.failed = new IllegalStateException("writing audit record " + p.fields.action() + " failed", ex);
      }
    }
    for (Pending p : group) {
      p.done = true;
    }
  }

  /** Records from {@code afterSeq} (exclusive), oldest first, at most {@code limit}. */
  public List<Entry> list(long afterSeq, int limit) {
    List<Entry> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT seq, at_ms, actor, action, target, source, detail, "
            + "prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq")) {
      ps.setLong(1, afterSeq);
      ps.setMaxRows(limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading audit records failed", e);
    }
    return out;
  }

  /**
   * Records matching every given filter, newest first, at most {@code limit}: {@code actor}
   * exactly, {@code actionPrefix} as a prefix ({@code "user."}), time in {@code [fromMs, toMs)},
   * and sequence below {@code beforeSeq} (the next page). Null filters match everything.
   */
  public List<Entry> search(String actor, String actionPrefix, Long fromMs, Long toMs, Long beforeSeq, int limit) {
    StringBuilder sql = new StringBuilder("SELECT seq, at_ms, actor, action, target, source, detail, prev_hash, hash "
        + "FROM audit_log WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (actor != null) {
      sql.append(" AND actor = ?");
      args.add(actor);
    }
    if (actionPrefix != null) {
      // LIKE with the wildcards of the prefix escaped, so "_" and "%" match only themselves.
      sql.append(" AND action LIKE ? ESCAPE '!'");
      args.add(actionPrefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
    }
    if (fromMs != null) {
      sql.append(" AND at_ms >= ?");
      args.add(fromMs);
    }
    if (toMs != null) {
      sql.append(" AND at_ms < ?");
      args.add(toMs);
    }
    if (beforeSeq != null) {
      sql.append(" AND seq < ?");
      args.add(beforeSeq);
    }
    sql.append(" ORDER BY seq DESC");
    List<Entry> out = new ArrayList<>();
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      ps.setMaxRows(limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("searching audit records failed", e);
    }
    return out;
  }

  /** Walks the whole chain from its anchor; reports the first record that does not fit. */
  public Verification verify() {
    try (Connection c = db.getConnection()) {
      long expectSeq = 0;
      String prev = GENESIS;
      try (PreparedStatement ps = c.prepareStatement("SELECT first_seq, prev_hash FROM audit_anchor WHERE id = 1");
          ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          expectSeq = rs.getLong(1);
          prev = rs.getString(2);
        }
      }
      long checked = 0;
      try (PreparedStatement ps = c.prepareStatement("SELECT seq, at_ms, actor, action, target, source, detail, "
          + "prev_hash, hash FROM audit_log ORDER BY seq");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Entry e = read(rs);
          if (e.seq() != expectSeq) {
            return new Verification(false, checked, expectSeq, "record " + expectSeq + " is missing (next stored: "
                + e.seq() + ")");
          }
          if (!e.prevHash().equals(prev)) {
            return new Verification(false, checked, e.seq(), "record " + e.seq()
                + " does not follow the previous record (prev_hash mismatch: a record before it was changed or removed)");
          }
          if (!hash(e).equals(e.hash())) {
            return new Verification(false, checked, e.seq(), "record " + e.seq() + " was modified (hash mismatch)");
          }
          prev = e.hash();
          expectSeq++;
          checked++;
        }
      }
      long headSeq = -1;
      String headHash = null;
      try (PreparedStatement ps = c.prepareStatement("SELECT first_seq, prev_hash FROM audit_anchor WHERE id = 2");
          ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          headSeq = rs.getLong(1);
          headHash = rs.getString(2);
        }
      }
      if (headSeq >= expectSeq || (lastHash != null && lastSeq >= expectSeq)) {
        return new Verification(false, checked, expectSeq, "records " + expectSeq + ".." + Math.max(headSeq, lastSeq)
            + " were removed from the end");
      }
      if (headHash != null && headSeq == expectSeq - 1 && !headHash.equals(prev)) {
        return new Verification(false, checked, headSeq, "record " + headSeq + " does not match the recorded head");
      }
      return new Verification(true, checked, -1, null);
    } catch (SQLException e) {
      throw new IllegalStateException("verifying the audit log failed", e);
    }
  }

  /** Removes records older than {@code retention} (at least {@link #MIN_RETENTION}); returns how many. */
  public int prune(Duration retention) {
    if (retention.compareTo(MIN_RETENTION) < 0) {
      throw new IllegalArgumentException("retention: " + retention.toDays() + " days (expected: >= "
          + MIN_RETENTION.toDays() + ")");
    }
    writer.lock();
    try {
      return pruneLocked(retention);
    } finally {
      writer.unlock();
    }
  }

  private int pruneLocked(Duration retention) {
    long cutoff = clock.millis() - retention.toMillis();
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        long lastOld = -1;
        String lastOldHash = null;
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT seq, hash FROM audit_log WHERE at_ms < ? ORDER BY seq DESC")) {
          ps.setLong(1, cutoff);
          ps.setMaxRows(1);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              lastOld = rs.getLong(1);
              lastOldHash = rs.getString(2);
            }
          }
        }
        if (lastOld < 0) {
          c.rollback();
          return 0;
        }
        int n;
        try (PreparedStatement del = c.prepareStatement("DELETE FROM audit_log WHERE seq <= ?")) {
          del.setLong(1, lastOld);
          n = del.executeUpdate();
        }
        try (PreparedStatement d = c.prepareStatement("DELETE FROM audit_anchor WHERE id = 1")) {
          d.executeUpdate();
        }
        try (PreparedStatement a = c.prepareStatement(
            "INSERT INTO audit_anchor (id, first_seq, prev_hash) VALUES (1, ?, ?)")) {
          a.setLong(1, lastOld + 1);
          a.setString(2, lastOldHash);
          a.executeUpdate();
        }
        c.commit();
        return n;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("pruning the audit log failed", e);
    }
  }

  /** Row 2 of audit_anchor: the last record written, so removing records from the end shows. */
  private static void saveHead(Connection c, long seq, String hash) throws SQLException {
    try (PreparedStatement up = c.prepareStatement("UPDATE audit_anchor SET first_seq = ?, prev_hash = ? WHERE id = 2")) {
      up.setLong(1, seq);
      up.setString(2, hash);
      if (up.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement ins = c.prepareStatement("INSERT INTO audit_anchor (id, first_seq, prev_hash) VALUES (2, ?, ?)")) {
      ins.setLong(1, seq);
      ins.setString(2, hash);
      ins.executeUpdate();
    }
  }

  private void loadHead(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_log ORDER BY seq DESC")) {
      ps.setMaxRows(1);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          lastSeq = rs.getLong(1);
          lastHash = rs.getString(2);
          return;
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT first_seq, prev_hash FROM audit_anchor WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        lastSeq = rs.getLong(1) - 1;
        lastHash = rs.getString(2);
        return;
      }
    }
    lastSeq = -1;
    lastHash = GENESIS;
  }

  static String hash(Entry e) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String f : new String[] {e.prevHash(), Long.toString(e.seq()), Long.toString(e.atMs()), e.actor(),
          e.action(), e.target(), e.source(), e.detail()}) {
        byte[] b = f.getBytes(StandardCharsets.UTF_8);
        md.update((byte) (b.length >>> 24));
        md.update((byte) (b.length >>> 16));
        md.update((byte) (b.length >>> 8));
        md.update((byte) b.length);
        md.update(b);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static Entry read(ResultSet rs) throws SQLException {
    return new Entry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9));
  }

  /** Cut to {@code max}; NUL (which PostgreSQL cannot store in text) written as {@code \0}, so a record is never lost. */
  private static String cut(String s, int max) {
    if (s == null) {
      return "";
    }
    String t = s.indexOf('\0') >= 0 ? s.replace("\0", "\\0") : s;
    return t.length() <= max ? t : t.substring(0, max);
  }
}
