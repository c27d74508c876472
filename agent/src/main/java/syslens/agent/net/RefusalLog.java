package syslens.agent.net;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.agent.v1.lite.Ack;

/**
 * Samples the server refused (out of order, out of bounds, over a limit), summed by reason and
 * logged at WARN at most once per period, so a refusal is visible without flooding the log.
 */
final class RefusalLog {
  private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);
  private final Clock clock;
  private final long periodMillis;
  private final Map<String, Long> pending = new TreeMap<>();
  private long total;
  private long lastLogged = Long.MIN_VALUE;

  RefusalLog(Clock clock, Duration period) {
    this.clock = clock;
    this.periodMillis = period.toMillis();
  }

  /** Counts an ack's refusals; logs the sums when a period has passed since the last line. */
  synchronized String add(Ack ack) {
    if (ack.getRejectedByReasonCount() == 0) {
      pending.merge("unspecified", (long) ack.getRejectedSamples(), Long::sum);
    }
    ack.getRejectedByReasonMap().forEach((reason, n) -> pending.merge(reason, (long) n, Long::sum));
    total += ack.getRejectedSamples();
    long now = clock.millis();
    if (lastLogged != Long.MIN_VALUE && now - lastLogged < periodMillis) {
      return null;
    }
    String line = total + " samples refused by the server since the last report " + pending
        + " (check the clock and the series limits; the server's /metrics has"
        + " syslens_ingest_rejected_samples_total by reason)";
    log.warn(line);
    pending.clear();
    total = 0;
    lastLogged = now;
    return line;
  }
}
