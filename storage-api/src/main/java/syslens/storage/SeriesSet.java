package syslens.storage;

import java.util.Iterator;
import java.util.List;

/** The series a {@link Querier#select} found, sorted by labels. */
public interface SeriesSet extends Iterable<Series> {
  static SeriesSet of(List<Series> series) {
    List<Series> copy = List.copyOf(series);
    return copy::iterator;
  }

  static SeriesSet empty() {
    return of(List.of());
  }

  @Override
  Iterator<Series> iterator();
}
