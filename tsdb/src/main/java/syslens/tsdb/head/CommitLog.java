package syslens.tsdb.head;

import java.io.IOException;
import java.util.List;

/**
 * Where the head logs a commit before applying it (the write-ahead log in production). {@link
 * #write} is called under the head's commit lock, so calls arrive in the order the head applies
 * them; {@link #sync} is called after the lock is released so concurrent commits can share one
 * fsync (group commit). The head applies a commit to memory only once {@link #syncedPosition()}
 * covers it.
 */
public interface CommitLog {
  /** Logs nothing: an in-memory head where every write is at once "durable". */
  CommitLog NONE = new CommitLog() {
    @Override
    public long write(List<MemSeries> newSeries, MemSeries[] series, long[] ts, double[] vs, int n) {
      return 0;
    }

    @Override
    public void sync(long position) {}

    @Override
    public long syncedPosition() {
      return Long.MAX_VALUE;
    }

    @Override
    public boolean isLost(long position) {
      return false;
    }

    @Override
    public boolean recovering() {
      return false;
    }

    @Override
    public void recover() {}
  };

  /**
   * Writes the SERIES records of {@code newSeries} (first time they get samples) followed by the
   * samples {@code series[i], ts[i], vs[i]} for i < n. Returns the log position to sync to. When
   * it throws, nothing of the write remains in the log.
   */
  long write(List<MemSeries> newSeries, MemSeries[] series, long[] ts, double[] vs, int n)
      throws IOException;

  /**
   * Returns once everything up to {@code position} is on stable storage; throws when that cannot
   * be promised (the fsync failed, or the position was lost in an earlier failure).
   */
  void sync(long position) throws IOException;

  /** Highest position known durable (positions that {@link #isLost} excepted). */
  long syncedPosition();

  /** Whether the records up to {@code position} were dropped after a failed fsync. */
  boolean isLost(long position);

  /** Whether a failed fsync holds writes until {@link #recover()}. */
  boolean recovering();

  /** Drops unsynced records after a failed fsync and accepts writes again (see Wal#recover). */
  void recover();
}
