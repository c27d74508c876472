package syslens.storage;

/**
 * Walks one series' samples in timestamp order. Start with {@link #next()}; after it returns
 * true, {@link #timestamp()} and {@link #value()} give the current sample.
 */
public interface SampleIterator {
  SampleIterator EMPTY = new SampleIterator() {
    @Override
    public boolean next() {
      return false;
    }

    @Override
    public boolean seek(long t) {
      return false;
    }

    @Override
    public long timestamp() {
      throw new IllegalStateException("empty iterator");
    }

    @Override
    public double value() {
      throw new IllegalStateException("empty iterator");
    }
  };

  /** Advances to the next sample; false when there is none. */
  boolean next();

  /**
   * Advances to the first sample with timestamp >= t (staying put if the current one already
   * is); false when there is none. Never moves backwards.
   */
  boolean seek(long t);

  long timestamp();

  double value();
}
