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
 * hash the remaining chain starts from. One writer per database: appends are serialized here.
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

  private final DataSource db;
  private final Clock clock;
  private long lastSeq = -1;
  private String lastHash;

  AuditLog(DataSource db, Clock clock) {
    this.db = requireNonNull(db, "db");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The audit log of a metadata database, for tools (e.g. {@code syslens admin audit verify}). */
  public static AuditLog open(DataSource db, Clock clock) {
    SecuritySchema.migrate(db);
    return new AuditLog(db, clock);
  }

  /** Appends a record; fields are cut to their column sizes. */
  public synchronized Entry append(String actor, String action, String target, String source, String detail) {
    long at = clock.millis();
    try (Connection c = db.getConnection()) {
      if (lastHash == null) {
        loadHead(c);
      }
      long seq = lastSeq + 1;
      Entry e = new Entry(seq, at, cut(actor, 128), cut(action, 64), cut(target, MAX_FIELD),
          cut(source, 64), cut(detail, MAX_DETAIL), lastHash, null);
      String hash = hash(e);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (seq, at_ms, actor, action, "
          + "target, source, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setLong(1, seq);
        ps.setLong(2, at);
        ps.setString(3, e.actor());
        ps.setString(4, e.action());
        ps.setString(5, e.target());
        ps.setString(6, e.source());
        ps.setString(7, e.detail());
        ps.setString(8, e.prevHash());
        ps.setString(9, hash);
        ps.executeUpdate();
      }
      saveHead(c, seq, hash);
      lastSeq = seq;
      lastHash = hash;
      return new Entry(seq, at, e.actor(), e.action(), e.target(), e.source(), e.detail(), e.prevHash(), hash);
    } catch (SQLException ex) {
      lastHash = null; // reload the head next time
      throw new IllegalStateException("writing audit record " + action + " failed", ex);
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
  public synchronized int prune(Duration retention) {
    if (retention.compareTo(MIN_RETENTION) < 0) {
      throw new IllegalArgumentException("retention: " + retention.toDays() + " days (expected: >= "
          + MIN_RETENTION.toDays() + ")");
    }
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
