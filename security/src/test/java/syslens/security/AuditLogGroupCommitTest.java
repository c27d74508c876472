package syslens.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;

/**
 * Records appended while one is being written go into the next transaction together, each caller
 * returning once its own record is committed, and the chain stays whole (thousands of agents
 * enrolling at once each add a record).
 */
class AuditLogGroupCommitTest {
  private static final AtomicInteger N = new AtomicInteger();

  /** Counts connections taken; the first one waits for {@code release} once {@code hold} is set. */
  static final class GatedDataSource implements DataSource {
    final DataSource db;
    final AtomicInteger taken = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch firstTaken = new CountDownLatch(1);
    volatile boolean hold;

    GatedDataSource(DataSource db) {
      this.db = db;
    }

    @Override
    public Connection getConnection() throws SQLException {
      taken.incrementAndGet();
      if (hold && firstTaken.getCount() > 0) {
        firstTaken.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return db.getConnection();
    }

    @Override
    public Connection getConnection(String u, String p) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
      return db.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
      db.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      db.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return db.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      return db.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      return db.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
      return db.isWrapperFor(iface);
    }
  }

  @Test
  void append_whileOneIsWritten_queuedRecordsShareOneTransactionAndTheChainVerifies() throws Exception {
    GatedDataSource db = new GatedDataSource(
        JdbcConnectionPool.create("jdbc:h2:mem:audit" + N.incrementAndGet() + ";DB_CLOSE_DELAY=-1", "sa", ""));
    AuditLog audit = AuditLog.open(db, Clock.systemUTC());
    audit.append("admin", "first", "t", "127.0.0.1", ""); // the head is loaded
    int waiting = 50;
    db.taken.set(0);
    db.hold = true;
    ExecutorService pool = Executors.newFixedThreadPool(waiting + 1);
    try {
      // One append takes the writer's connection and is held there; the others queue meanwhile.
      Future<AuditLog.Entry> held = pool.submit(() -> audit.append("node:a", "node.enrolled", "a", "src", ""));
      assertThat(db.firstTaken.await(10, TimeUnit.SECONDS)).isTrue();
      List<Future<AuditLog.Entry>> rest = new ArrayList<>();
      for (int i = 0; i < waiting; i++) {
        String id = "n" + i;
        rest.add(pool.submit(() -> audit.append("node:" + id, "node.enrolled", id, "src", "")));
      }
      await().atMost(10, TimeUnit.SECONDS).until(() -> audit.queued() == waiting);
      db.release.countDown();
      List<AuditLog.Entry> written = new ArrayList<>();
      written.add(held.get(10, TimeUnit.SECONDS));
      for (Future<AuditLog.Entry> f : rest) {
        written.add(f.get(10, TimeUnit.SECONDS));
      }
      // The held record's transaction, then one for all 50 queued behind it (not 50).
      assertThat(db.taken.get()).isEqualTo(2);
      assertThat(written).extracting(AuditLog.Entry::seq).doesNotHaveDuplicates().allMatch(s -> s >= 1 && s <= 51);
      assertThat(audit.list(-1, 100)).hasSize(52);
    } finally {
      pool.shutdownNow();
    }
    AuditLog.Verification v = AuditLog.open(db, Clock.systemUTC()).verify();
    assertThat(v.ok()).as(v.problem()).isTrue();
    assertThat(v.checked()).isEqualTo(52);
  }
}
