package syslens.storage;

/** One series in a query result: its labels and a fresh iterator over its samples each call. */
public interface Series {
  Labels labels();

  SampleIterator iterator();
}
