package syslens.security;

import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

class SecurityH2Test extends SecurityContractTest {
  private static final AtomicInteger N = new AtomicInteger();

  @Override
  DataSource freshDatabase() {
    return JdbcConnectionPool.create("jdbc:h2:mem:sec" + N.incrementAndGet() + ";DB_CLOSE_DELAY=-1", "sa", "");
  }
}
