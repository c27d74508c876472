package syslens.tsdb.block;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import syslens.storage.AggregateSeries;
import syslens.storage.Aggregates;
import syslens.storage.Labels;
import syslens.storage.MergedSampleIterator;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.SelectHints;
import syslens.storage.Series;
import syslens.storage.SeriesSet;
import syslens.tsdb.rollup.RollupFunctions;

/**
 * Merges several queriers (blocks, the head, anything implementing {@link Querier}) into one:
 * series with equal labels become one series whose samples are merged by timestamp; a timestamp
 * present in more than one source (overlapping blocks, a block and the head) appears once, taking
 * the value of the earliest querier in the list. Closing it closes every part.
 */
public final class MergingQuerier implements Querier {
  private final List<Querier> parts;

  private MergingQuerier(List<Querier> parts) {
    this.parts = parts;
  }

  /** A querier over {@code parts}, in priority order for duplicate timestamps. */
  public static Querier of(List<? extends Querier> parts) {
    requireNonNull(parts, "parts");
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return new MergingQuerier(List.copyOf(parts));
  }

  @Override
  public SeriesSet select(List<Matcher> matchers) {
    requireNonNull(matchers, "matchers");
    return merge(q -> q.select(matchers), Aggregates.ALL_COLUMNS);
  }

  @Override
  public SeriesSet select(SelectHints hints, List<Matcher> matchers) {
    requireNonNull(hints, "hints");
    requireNonNull(matchers, "matchers");
    // RollupFunctions' column bits are Aggregates' (min, max, sum, count, last, increase).
    return merge(q -> q.select(hints, matchers), RollupFunctions.columnsFor(hints.func()));
  }

  /**
   * Each part's series come sorted by labels ({@link SeriesSet}): a k-way merge joins equal label
   * sets without a map, and a select that only one part answers is that part's answer. Merged
   * aggregates carry only {@code columns} (what the hints' function reads).
   */
  private SeriesSet merge(java.util.function.Function<Querier, SeriesSet> select, int columns) {
    List<List<Series>> lists = new ArrayList<>(parts.size());
    for (Querier q : parts) {
      List<Series> l = new ArrayList<>();
      for (Series s : select.apply(q)) {
        l.add(s);
      }
      if (!l.isEmpty()) {
        if (!sorted(l)) {
          l.sort(Comparator.comparing(Series::labels));
        }
        lists.add(l);
      }
    }
    if (lists.isEmpty()) {
      return SeriesSet.empty();
    }
    if (lists.size() == 1) {
      return SeriesSet.of(lists.get(0));
    }
    int k = lists.size();
    int[] at = new int[k];
    List<Series> out = new ArrayList<>(lists.get(0).size());
    List<Series> same = new ArrayList<>(k);
    while (true) {
      Labels min = null;
      for (int i = 0; i < k; i++) {
        if (at[i] < lists.get(i).size()) {
          Labels l = lists.get(i).get(at[i]).labels();
          if (min == null || l.compareTo(min) < 0) {
            min = l;
          }
        }
      }
      if (min == null) {
        break;
      }
      same.clear();
      for (int i = 0; i < k; i++) {
        if (at[i] < lists.get(i).size() && lists.get(i).get(at[i]).labels().equals(min)) {
          same.add(lists.get(i).get(at[i]++));
        }
      }
      if (same.size() == 1) {
        out.add(same.get(0));
      } else if (same.stream().anyMatch(x -> x instanceof AggregateSeries)) {
        out.add(new MergedAggregateSeries(min, List.copyOf(same), columns));
      } else {
        out.add(new MergedSeries(min, List.copyOf(same)));
      }
    }
    return SeriesSet.of(out);
  }

  private static boolean sorted(List<Series> l) {
    for (int i = 1; i < l.size(); i++) {
      if (l.get(i - 1).labels().compareTo(l.get(i).labels()) > 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public List<String> labelNames() {
    TreeSet<String> names = new TreeSet<>();
    for (Querier q : parts) {
      names.addAll(q.labelNames());
    }
    return List.copyOf(names);
  }

  @Override
  public List<String> labelValues(String name) {
    requireNonNull(name, "name");
    TreeSet<String> values = new TreeSet<>();
    for (Querier q : parts) {
      values.addAll(q.labelValues(name));
    }
    return List.copyOf(values);
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (Querier q : parts) {
      try {
        q.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Series with equal labels of which some come from rollups: the iterator merges as for raw
   * series, the aggregates merge by timestamp with raw samples as points of count 1.
   */
  private record MergedAggregateSeries(Labels labels, List<Series> parts, int columns)
      implements AggregateSeries {
    @Override
    public SampleIterator iterator() {
      return new MergedSeries(labels, parts).iterator();
    }

    @Override
    public Aggregates aggregates() {
      List<Aggregates> aggs = new ArrayList<>(parts.size());
      boolean[] raw = new boolean[parts.size()];
      for (int k = 0; k < parts.size(); k++) {
        Series s = parts.get(k);
        if (s instanceof AggregateSeries a) {
          aggs.add(a.aggregates());
        } else {
          aggs.add(Aggregates.ofSamples(s.iterator()));
          raw[k] = true;
        }
      }
      return Aggregates.merge(aggs, raw, columns);
    }
  }

  private record MergedSeries(Labels labels, List<Series> parts) implements Series {
    @Override
    public SampleIterator iterator() {
      List<SampleIterator> its = new ArrayList<>(parts.size());
      for (Series s : parts) {
        its.add(s.iterator());
      }
      return MergedSampleIterator.of(its);
    }
  }
}
