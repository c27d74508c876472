package syslens.ingest;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;

/**
 * Staleness for a source that sends collection rounds (all samples of a round share its
 * timestamp; a round may span several batches). A round is complete when a batch of a newer
 * round arrives: each series of the round before it that the completed round lacked gets a
 * staleness marker at the completed round's time, as Prometheus marks a series that vanished
 * from a scrape. When the source goes away every series it still has gets a marker just after
 * its newest sample, so a source that reconnects and replays its newer rounds is not refused.
 */
final class RoundTracker {
  /** Beyond this many tracked series the tracker forgets them (no markers) instead of growing. */
  static final int MAX_TRACKED = 200_000;

  /** Per series: {newest timestamp, round it was last seen in}. */
  private final Map<Labels, long[]> seen = new HashMap<>();
  private long round = Long.MIN_VALUE;

  /**
   * A batch of round {@code batchTs} begins: when it starts a new round, stages markers for the
   * series the round just completed lacked. Returns how many markers were staged.
   */
  int begin(long batchTs, Appender app) {
    if (batchTs <= round) {
      return 0;
    }
    int markers = 0;
    if (round != Long.MIN_VALUE) {
      for (Iterator<Map.Entry<Labels, long[]>> it = seen.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Labels, long[]> e = it.next();
        long[] s = e.getValue();
        if (s[1] < round) {
          if (app.append(e.getKey(), Math.max(round, s[0] + 1), StaleMarker.VALUE) == AppendStatus.OK) {
            markers++;
          }
          it.remove();
        }
      }
    }
    round = batchTs;
    return markers;
  }

  /** Series {@code labels} was written in the current round with newest sample {@code ts}. */
  void saw(Labels labels, long ts) {
    long[] s = seen.get(labels);
    if (s == null) {
      if (seen.size() >= MAX_TRACKED) {
        seen.clear();
      }
      seen.put(labels, new long[] {ts, round});
    } else {
      s[0] = Math.max(s[0], ts);
      s[1] = round;
    }
  }

  /** The source went away: stages a marker just after each tracked series' newest sample. */
  int end(Appender app) {
    int markers = 0;
    for (Map.Entry<Labels, long[]> e : seen.entrySet()) {
      if (app.append(e.getKey(), e.getValue()[0] + 1, StaleMarker.VALUE) == AppendStatus.OK) {
        markers++;
      }
    }
    seen.clear();
    round = Long.MIN_VALUE;
    return markers;
  }
}
