package syslens.query;

import java.util.ArrayList;
import java.util.List;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.Querier;
import syslens.storage.Storage;

/** Test fixture: {@link MemoryQueryable} with an appender that applies samples at commit. */
final class MemoryStorage implements Storage {
  private final MemoryQueryable db = MemoryQueryable.create();

  MemoryQueryable db() {
    return db;
  }

  @Override
  public Querier querier(long mint, long maxt) {
    return db.querier(mint, maxt);
  }

  @Override
  public Appender appender() {
    return new Appender() {
      private final List<Object[]> staged = new ArrayList<>();

      @Override
      public AppendStatus append(Labels labels, long timestampMs, double value) {
        staged.add(new Object[] {labels, timestampMs, value});
        return AppendStatus.OK;
      }

      @Override
      public void commit() {
        for (Object[] s : staged) {
          db.add((Labels) s[0], (Long) s[1], (Double) s[2]);
        }
        staged.clear();
      }

      @Override
      public void rollback() {
        staged.clear();
      }
    };
  }

  @Override
  public void close() {}
}
