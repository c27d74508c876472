package syslens.ingest;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * What became of one batch. {@code STORED}: committed durably (some samples may still have been
 * refused, counted by reason: {@code out_of_order}, {@code duplicate_timestamp},
 * {@code out_of_bounds}, {@code invalid_labels}, {@code limit_exceeded}); {@code INVALID}:
 * nothing stored, {@code reason} names what was wrong and what was expected; {@code UNAVAILABLE}:
 * storage could not promise durability, nothing may be acknowledged, the sender should retry.
 */
public record WriteResult(Status status, String reason, int accepted, int refused, Map<String, Integer> refusedByReason) {
  public enum Status { STORED, INVALID, UNAVAILABLE }

  public WriteResult {
    requireNonNull(status, "status");
    refusedByReason = Map.copyOf(requireNonNull(refusedByReason, "refusedByReason"));
  }

  static WriteResult invalid(String reason) {
    return new WriteResult(Status.INVALID, reason, 0, 0, Map.of());
  }

  static WriteResult unavailable(String reason) {
    return new WriteResult(Status.UNAVAILABLE, reason, 0, 0, Map.of());
  }

  public boolean stored() {
    return status == Status.STORED;
  }
}
