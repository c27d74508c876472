package syslens.agent.net;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.agent.v1.lite.Label;
import syslens.agent.v1.lite.MetricBatch;
import syslens.agent.v1.lite.Series;

/**
 * One stream's series refs ({@code Series.ref} in the protocol): the first batch that carries a
 * series sends its labels with a new ref, later batches on the same stream send the ref alone, so
 * the server parses each series' labels once per stream instead of once per batch. A new stream
 * starts a new instance. Batches stay stored with their labels; refs are applied as they are sent.
 * At most {@link #MAX} refs (the server's limit); series beyond them go with their labels. Not
 * thread-safe: used from the connection's executor.
 */
final class SeriesRefs {
  /** The server's highest ref (IngestSession.MAX_REFS). */
  static final int MAX = 1 << 18;

  private final Map<List<Label>, Integer> refs = new HashMap<>();

  /** {@code b} as this stream sends it: known series by ref alone, new ones defining a ref. */
  MetricBatch encode(MetricBatch b) {
    MetricBatch.Builder out = null;
    for (int i = 0; i < b.getSeriesCount(); i++) {
      Series s = b.getSeries(i);
      if (s.getRef() != 0 || s.getLabelsCount() == 0) {
        continue; // already a ref (not from this agent's collectors): sent as it is
      }
      Integer ref = refs.get(s.getLabelsList());
      Series sent;
      if (ref != null) {
        sent = Series.newBuilder().setRef(ref).addAllSamples(s.getSamplesList()).build();
      } else if (refs.size() < MAX) {
        int next = refs.size() + 1;
        refs.put(s.getLabelsList(), next);
        sent = s.toBuilder().setRef(next).build();
      } else {
        continue;
      }
      if (out == null) {
        out = b.toBuilder();
      }
      out.setSeries(i, sent);
    }
    return out == null ? b : out.build();
  }

  int size() {
    return refs.size();
  }
}
