package syslens.query;

/** A (timestamp, value) pair of a range result. */
public record Point(long timestampMs, double value) {}
