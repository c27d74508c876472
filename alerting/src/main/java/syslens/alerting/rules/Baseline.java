package syslens.alerting.rules;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import syslens.query.Matrix;
import syslens.query.Point;
import syslens.query.RangeSeries;
import syslens.storage.Labels;

/**
 * A learned baseline per series, seasonal by hour-of-week slot (168 slots, UTC, Monday 00:00 is
 * slot 0): the median and the median absolute deviation (MAD) of the training samples in each
 * slot, interpolated between neighbouring slots at evaluation time. A slot with fewer than {@code minSamples} samples falls back to the series' pooled
 * median and MAD. Median and MAD ignore up to half the samples being outliers, so past incidents
 * in the training window do not widen the band. The band is
 * {@code median ± max(k × 1.4826 × MAD, minDeviation)} (1.4826 × MAD estimates the standard
 * deviation of normal noise). Immutable; retraining builds a new one.
 */
final class Baseline {
  static final int SLOTS = 168;
  /** trainedAt of a baseline that was never trained. */
  static final long NEVER = Long.MIN_VALUE;
  static final double MAD_TO_SIGMA = 1.4826;
  /** Most series one anomaly rule keeps a baseline for. */
  static final int MAX_SERIES = 20_000;

  /** Stats of one series: per slot median, MAD and count; index SLOTS is the pooled fallback. */
  record SeriesStats(float[] median, float[] mad, int[] count) {
    String encode() {
      ByteBuffer b = ByteBuffer.allocate((SLOTS + 1) * 12);
      for (int i = 0; i <= SLOTS; i++) {
        b.putFloat(median[i]).putFloat(mad[i]).putInt(count[i]);
      }
      return Base64.getEncoder().encodeToString(b.array());
    }

    static SeriesStats decode(String s) {
      ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(s));
      if (b.remaining() != (SLOTS + 1) * 12) {
        throw new IllegalArgumentException("baseline stats: " + b.remaining()
            + " bytes (expected: " + (SLOTS + 1) * 12 + ")");
      }
      SeriesStats st = new SeriesStats(new float[SLOTS + 1], new float[SLOTS + 1],
          new int[SLOTS + 1]);
      for (int i = 0; i <= SLOTS; i++) {
        st.median[i] = b.getFloat();
        st.mad[i] = b.getFloat();
        st.count[i] = b.getInt();
      }
      return st;
    }
  }

  /** Lower and upper edge of the normal band at one time. */
  record Band(double median, double lower, double upper) {
    boolean outside(double v) {
      return v < lower || v > upper;
    }
  }

  private final Map<Labels, SeriesStats> series;
  private final long trainedAt;

  Baseline(Map<Labels, SeriesStats> series, long trainedAt) {
    this.series = Map.copyOf(series);
    this.trainedAt = trainedAt;
  }

  static Baseline empty() {
    return new Baseline(Map.of(), NEVER);
  }

  long trainedAt() {
    return trainedAt;
  }

  Map<Labels, SeriesStats> series() {
    return series;
  }

  /** The hour-of-week slot of {@code tMs} (UTC, Monday 00:00-01:00 is 0). */
  static int slot(long tMs) {
    long hours = Math.floorDiv(tMs, 3_600_000L);
    long day = Math.floorDiv(hours, 24);
    int dow = (int) Math.floorMod(day + 3, 7); // 1970-01-01 was a Thursday (3 with Monday 0)
    return dow * 24 + (int) Math.floorMod(hours, 24);
  }

  /** Learns from a range-query result (one point per step per series). */
  static Baseline train(Matrix m, int minSamples, long now) {
    Map<Labels, SeriesStats> out = new HashMap<>();
    for (RangeSeries s : m.series()) {
      if (out.size() >= MAX_SERIES) {
        break;
      }
      out.put(s.labels(), stats(s.points(), minSamples));
    }
    return new Baseline(out, now);
  }

  private static SeriesStats stats(List<Point> points, int minSamples) {
    int[] counts = new int[SLOTS];
    for (Point p : points) {
      counts[slot(p.timestampMs())]++;
    }
    double[][] bySlot = new double[SLOTS][];
    for (int i = 0; i < SLOTS; i++) {
      bySlot[i] = new double[counts[i]];
    }
    int[] fill = new int[SLOTS];
    double[] all = new double[points.size()];
    int n = 0;
    for (Point p : points) {
      if (Double.isFinite(p.value())) {
        int sl = slot(p.timestampMs());
        bySlot[sl][fill[sl]++] = p.value();
        all[n++] = p.value();
      }
    }
    SeriesStats st = new SeriesStats(new float[SLOTS + 1], new float[SLOTS + 1],
        new int[SLOTS + 1]);
    for (int i = 0; i < SLOTS; i++) {
      put(st, i, Arrays.copyOf(bySlot[i], fill[i]), minSamples);
    }
    put(st, SLOTS, Arrays.copyOf(all, n), minSamples);
    return st;
  }

  private static void put(SeriesStats st, int i, double[] xs, int minSamples) {
    st.count[i] = xs.length;
    if (xs.length < minSamples || xs.length == 0) {
      st.count[i] = 0;
      return;
    }
    double med = median(xs);
    double[] dev = new double[xs.length];
    for (int k = 0; k < xs.length; k++) {
      dev[k] = Math.abs(xs[k] - med);
    }
    st.median[i] = (float) med;
    st.mad[i] = (float) median(dev);
  }

  static double median(double[] xs) {
    Arrays.sort(xs);
    int n = xs.length;
    return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
  }

  /**
   * The band of {@code labels} at {@code tMs}, or null when nothing was learned for it. Median
   * and MAD are interpolated linearly between the centres of neighbouring slots, so a steep daily
   * ramp does not put the start and end of an hour outside a band centred on its middle.
   */
  Band band(Labels labels, long tMs, double k, double minDeviation) {
    SeriesStats st = series.get(labels);
    if (st == null) {
      return null;
    }
    int i = slot(tMs);
    if (st.count[i] == 0) {
      return st.count[SLOTS] == 0 ? null
          : band(st.median[SLOTS], st.mad[SLOTS], k, minDeviation);
    }
    Band own = band(st.median[i], st.mad[i], k, minDeviation);
    double f = Math.floorMod(tMs, 3_600_000L) / 3_600_000.0 - 0.5;
    int j = Math.floorMod(i + (f < 0 ? -1 : 1), SLOTS);
    if (st.count[j] == 0) {
      return own;
    }
    double w = Math.abs(f);
    Band mid = band((1 - w) * st.median[i] + w * st.median[j],
        (1 - w) * st.mad[i] + w * st.mad[j], k, minDeviation);
    return new Band(own.median(), Math.min(own.lower(), mid.lower()),
        Math.max(own.upper(), mid.upper()));
  }

  private static Band band(double med, double mad, double k, double minDeviation) {
    double half = Math.max(k * MAD_TO_SIGMA * mad, minDeviation);
    half = Math.max(half, Math.abs(med) * 1e-6);
    return new Band(med, med - half, med + half);
  }
}
