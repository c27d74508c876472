package syslens.tsdb.head;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.MergedSampleIterator;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.Series;
import syslens.storage.SeriesSet;

/**
 * Reads the head over [mint, maxt]. {@link #select} snapshots the chunks of the selected series
 * (closed chunks by reference, the open chunk by copy), so each result is internally consistent
 * even while appends continue.
 */
final class HeadQuerier implements Querier {
  private final Head head;
  private final long mint;
  private final long maxt;

  HeadQuerier(Head head, long mint, long maxt) {
    // mint > maxt is an empty range: every overlap check fails, so results are empty.
    this.head = head;
    this.mint = mint;
    this.maxt = maxt;
  }

  @Override
  public SeriesSet select(List<Matcher> matchers) {
    requireNonNull(matchers, "matchers");
    long[] refs = head.postings().select(matchers);
    List<Series> out = new ArrayList<>();
    for (long ref : refs) {
      MemSeries s = head.series(ref);
      if (s == null || !s.overlaps(mint, maxt)) {
        continue;
      }
      List<ChunkMeta> chunks = s.chunks(mint, maxt);
      List<ChunkMeta> ooo = s.outOfOrderChunks(mint, maxt);
      if (!chunks.isEmpty() || !ooo.isEmpty()) {
        out.add(new HeadSeries(s.labels(), chunks, ooo, mint, maxt));
      }
    }
    out.sort(Comparator.comparing(Series::labels));
    return SeriesSet.of(out);
  }

  @Override
  public List<String> labelNames() {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, long[]> e : head.postings().names().entrySet()) {
      if (anyInRange(e.getValue())) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  @Override
  public List<String> labelValues(String name) {
    requireNonNull(name, "name");
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, long[]> e : head.postings().values(name).entrySet()) {
      if (anyInRange(e.getValue())) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  private boolean anyInRange(long[] refs) {
    for (long ref : refs) {
      MemSeries s = head.series(ref);
      if (s != null && s.overlaps(mint, maxt)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    // Nothing pinned yet; with blocks this releases the blocks' read references.
  }

  private record HeadSeries(Labels labels, List<ChunkMeta> chunks, List<ChunkMeta> outOfOrder,
      long mint, long maxt) implements Series {
    @Override
    public SampleIterator iterator() {
      if (outOfOrder.isEmpty()) {
        return new ChunksIterator(chunks, mint, maxt);
      }
      // In-order samples first, so they win over an out-of-order sample with the same timestamp.
      List<SampleIterator> all = new ArrayList<>(1 + outOfOrder.size());
      all.add(new ChunksIterator(chunks, mint, maxt));
      for (ChunkMeta c : outOfOrder) {
        all.add(new ChunksIterator(List.of(c), mint, maxt));
      }
      return MergedSampleIterator.of(all);
    }
  }
}
