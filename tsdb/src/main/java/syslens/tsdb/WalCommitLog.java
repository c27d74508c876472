package syslens.tsdb;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import syslens.tsdb.head.CommitLog;
import syslens.tsdb.head.MemSeries;
import syslens.tsdb.wal.Records;
import syslens.tsdb.wal.Wal;

/** Logs head commits to the WAL: one SERIES record for new series, one SAMPLES record. */
final class WalCommitLog implements CommitLog {
  private final Wal wal;

  WalCommitLog(Wal wal) {
    this.wal = wal;
  }

  @Override
  public long write(List<MemSeries> newSeries, MemSeries[] series, long[] ts, double[] vs, int n)
      throws IOException {
    List<Wal.Record> records = new ArrayList<>(2);
    if (!newSeries.isEmpty()) {
      List<Records.SeriesRef> refs = new ArrayList<>(newSeries.size());
      for (MemSeries s : newSeries) {
        refs.add(new Records.SeriesRef(s.ref(), s.labels()));
      }
      records.add(new Wal.Record(Records.TYPE_SERIES, Records.encodeSeries(refs)));
    }
    long[] refs = new long[n];
    for (int i = 0; i < n; i++) {
      refs[i] = series[i].ref();
    }
    records.add(new Wal.Record(Records.TYPE_SAMPLES, Records.encodeSamples(refs, ts, vs, n)));
    return wal.log(records);
  }

  @Override
  public void sync(long position) throws IOException {
    wal.sync(position);
  }

  @Override
  public long syncedPosition() {
    return wal.syncedPosition();
  }

  @Override
  public boolean isLost(long position) {
    return wal.isLost(position);
  }

  @Override
  public boolean recovering() {
    return wal.recovering();
  }

  @Override
  public void recover() {
    wal.recover();
  }
}
