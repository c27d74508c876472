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
 *
 * <p>Series a source names by ref ({@link #sawRef}) are tracked in arrays indexed by the ref: ~20
 * bytes a series instead of a hash map entry and its array (~80 bytes; 2M series at 10,000
 * agents). A source that sends one series both by ref and by labels has it tracked twice (a
 * stale marker may then land on its own series); the agent never does.
 */
final class RoundTracker {
  /** Beyond this many tracked series the tracker forgets them (no markers) instead of growing. */
  static final int MAX_TRACKED = 200_000;

  /** Per series sent with labels: {newest timestamp, round it was last seen in}. */
  private final Map<Labels, long[]> seen = new HashMap<>();
  /** Per series sent by ref, indexed by the ref: its labels (null: not tracked), newest timestamp, round. */
  private Labels[] refLabels = new Labels[0];
  private long[] refNewest = new long[0];
  private long[] refRound = new long[0];
  private int refTracked;
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
      for (int r = 0; r < refLabels.length; r++) {
        Labels l = refLabels[r];
        if (l != null && refRound[r] < round) {
          if (app.append(l, Math.max(round, refNewest[r] + 1), StaleMarker.VALUE) == AppendStatus.OK) {
            markers++;
          }
          refLabels[r] = null;
          refTracked--;
        }
      }
    }
    round = batchTs;
    return markers;
  }

  /** Series {@code labels}, sent by {@code ref} (> 0), was written in the current round with newest sample {@code ts}. */
  void sawRef(int ref, Labels labels, long ts) {
    if (ref >= refLabels.length) {
      int size = Math.max(ref + 1, Math.max(64, refLabels.length * 2));
      refLabels = java.util.Arrays.copyOf(refLabels, size);
      refNewest = java.util.Arrays.copyOf(refNewest, size);
      refRound = java.util.Arrays.copyOf(refRound, size);
    }
    Labels old = refLabels[ref];
    if (old == null) {
      if (tracked() >= MAX_TRACKED) {
        forget();
      }
      refTracked++;
    } else if (old == labels || old.equals(labels)) {
      refNewest[ref] = Math.max(refNewest[ref], ts);
      refRound[ref] = round;
      return;
    } else {
      // The ref names another series now: the one it named is tracked by its labels from here on.
      long[] s = seen.get(old);
      if (s == null) {
        seen.put(old, new long[] {refNewest[ref], refRound[ref]});
      } else {
        s[0] = Math.max(s[0], refNewest[ref]);
        s[1] = Math.max(s[1], refRound[ref]);
      }
    }
    refLabels[ref] = labels;
    refNewest[ref] = ts;
    refRound[ref] = round;
  }

  private int tracked() {
    return seen.size() + refTracked;
  }

  private void forget() {
    seen.clear();
    java.util.Arrays.fill(refLabels, null);
    refTracked = 0;
  }

  /** Series {@code labels} was written in the current round with newest sample {@code ts}. */
  void saw(Labels labels, long ts) {
    long[] s = seen.get(labels);
    if (s == null) {
      if (tracked() >= MAX_TRACKED) {
        forget();
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
    for (int r = 0; r < refLabels.length; r++) {
      Labels l = refLabels[r];
      if (l != null && app.append(l, refNewest[r] + 1, StaleMarker.VALUE) == AppendStatus.OK) {
        markers++;
      }
    }
    forget();
    round = Long.MIN_VALUE;
    return markers;
  }
}
