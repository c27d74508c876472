package syslens.tsdb.block;

import java.util.List;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SeriesSet;

/** A querier over nothing. */
final class EmptyQuerier implements Querier {
  static final Querier INSTANCE = new EmptyQuerier();

  private EmptyQuerier() {}

  @Override
  public SeriesSet select(List<Matcher> matchers) {
    return SeriesSet.empty();
  }

  @Override
  public List<String> labelNames() {
    return List.of();
  }

  @Override
  public List<String> labelValues(String name) {
    return List.of();
  }

  @Override
  public void close() {}
}
