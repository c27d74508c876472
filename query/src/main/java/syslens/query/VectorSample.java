package syslens.query;

import syslens.storage.Labels;

/** One element of an instant vector. */
public record VectorSample(Labels labels, long timestampMs, double value) {}
