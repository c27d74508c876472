package syslens.remote;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.LabelRules;
import syslens.storage.Labels;
import syslens.storage.StorageException;

/**
 * Stages samples by series; {@link #commit()} encodes them as remote-write requests and appends
 * them to the disk queue, durable (fsync) before it returns. Order and duplicates are the store's
 * business: only invalid labels are refused here.
 */
final class RemoteAppender implements Appender {
  private final RemoteStorage storage;
  private final Map<Labels, WriteRequests.SeriesSamples> staged = new LinkedHashMap<>();
  private int stagedSamples;

  RemoteAppender(RemoteStorage storage) {
    this.storage = storage;
  }

  @Override
  public AppendStatus append(Labels labels, long timestampMs, double value) {
    WriteRequests.SeriesSamples s = staged.get(labels);
    if (s == null) {
      if (LabelRules.validate(labels) != null) {
        storage.invalidLabels.incrementAndGet();
        return AppendStatus.INVALID_LABELS;
      }
      s = new WriteRequests.SeriesSamples(labels);
      staged.put(labels, s);
    }
    s.add(timestampMs, value);
    stagedSamples++;
    return AppendStatus.OK;
  }

  @Override
  public void commit() {
    if (staged.isEmpty()) {
      return;
    }
    try {
      List<WriteRequests.Encoded> records;
      if (storage.protocol == RemoteStorage.Protocol.INFLUXDB) {
        LineProtocol.Result r = LineProtocol.encode(staged.values(), storage.recordBytes);
        storage.unrepresentable.addAndGet(r.unrepresentable());
        records = r.records();
      } else {
        records = WriteRequests.encode(staged.values(), storage.recordBytes);
      }
      if (!records.isEmpty()) {
        storage.enqueue(records, stagedSamples);
      }
    } catch (IOException e) {
      throw new StorageException("remote store: writing the local buffer failed: " + e.getMessage(), e);
    } finally {
      rollback();
    }
  }

  @Override
  public void rollback() {
    staged.clear();
    stagedSamples = 0;
  }
}
