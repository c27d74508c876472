package syslens.storage;

/** A queryable store that also takes writes. */
public interface Storage extends Queryable, AutoCloseable {
  Appender appender();

  @Override
  void close();
}
