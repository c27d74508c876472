package syslens.agent.net;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/** Exponential backoff (doubling from {@code initial} up to {@code max}) with +-20% jitter. */
final class Backoff {

  private final long initialMillis;
  private final long maxMillis;
  private final DoubleSupplier random;
  private int attempt;

  Backoff(Duration initial, Duration max, DoubleSupplier random) {
    this.initialMillis = requireNonNull(initial, "initial").toMillis();
    this.maxMillis = requireNonNull(max, "max").toMillis();
    this.random = requireNonNull(random, "random");
    if (initialMillis < 1) {
      throw new IllegalArgumentException("initial: " + initial + " (expected: >= 1ms)");
    }
    if (maxMillis < initialMillis) {
      throw new IllegalArgumentException(
          "max: " + max + " (expected: >= initial " + initial + ")");
    }
  }

  /** The delay before the next attempt; each call doubles the base until it reaches max. */
  long nextDelayMillis() {
    long base = initialMillis << Math.min(attempt, 30);
    if (base <= 0 || base > maxMillis) {
      base = maxMillis;
    }
    attempt++;
    double factor = 0.8 + 0.4 * random.getAsDouble();
    return Math.min(maxMillis, Math.max(1, Math.round(base * factor)));
  }

  void reset() {
    attempt = 0;
  }
}
