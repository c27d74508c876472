package syslens.server.meta;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import syslens.ingest.Sequences;

/** Each agent node's last acknowledged batch (table {@code node_sequences}, migration V3). */
public final class SequenceStore implements Sequences.Store {
  private final MetaStore db;

  public SequenceStore(MetaStore db) {
    this.db = requireNonNull(db, "db");
  }

  @Override
  public Map<String, Sequences.Position> load() {
    Map<String, Sequences.Position> out = new HashMap<>();
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT node_id, seq_epoch, acked_seq FROM node_sequences");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), new Sequences.Position(rs.getLong(2), rs.getLong(3)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("loading node sequences failed", e);
    }
    return out;
  }

  @Override
  public void save(Map<String, Sequences.Position> positions) {
    try (Connection c = db.connection()) {
      c.setAutoCommit(false);
      try (PreparedStatement up = c.prepareStatement(
              "UPDATE node_sequences SET seq_epoch=?, acked_seq=? WHERE node_id=?");
          PreparedStatement ins = c.prepareStatement(
              "INSERT INTO node_sequences (node_id, seq_epoch, acked_seq) VALUES (?, ?, ?)")) {
        for (Map.Entry<String, Sequences.Position> e : positions.entrySet()) {
          up.setLong(1, e.getValue().epoch());
          up.setLong(2, e.getValue().seq());
          up.setString(3, e.getKey());
          if (up.executeUpdate() == 0) {
            ins.setString(1, e.getKey());
            ins.setLong(2, e.getValue().epoch());
            ins.setLong(3, e.getValue().seq());
            ins.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("saving " + positions.size() + " node sequences failed", e);
    }
  }
}
