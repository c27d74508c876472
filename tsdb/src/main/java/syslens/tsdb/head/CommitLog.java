package syslens.tsdb.head;

import java.io.IOException;
import java.util.List;

/**
 * Where the head logs a commit before applying it (the write-ahead log in production). {@link
 * #write} is called under the head's commit lock, so calls arrive in the order the head applies
 * them; {@link #sync} is called after the lock is released so concurrent commits can share one
 * fsync (group commit).
 */
public interface CommitLog {
  /** Logs nothing: an in-memory head. */
  CommitLog NONE = new CommitLog() {
    @Override
    public long write(List<MemSeries> newSeries, MemSeries[] series, long[] ts, double[] vs, int n) {
      return 0;
    }

    @Override
    public void sync(long position) {}
  };

  /**
   * Writes the SERIES records of {@code newSeries} (first time they get samples) followed by the
   * samples {@code series[i], ts[i], vs[i]} for i < n. Returns the log position to sync to.
   */
  long write(List<MemSeries> newSeries, MemSeries[] series, long[] ts, double[] vs, int n)
      throws IOException;

  /** Returns once everything up to {@code position} is on stable storage. */
  void sync(long position) throws IOException;
}
