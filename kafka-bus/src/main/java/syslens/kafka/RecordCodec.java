package syslens.kafka;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import syslens.storage.Labels;

/**
 * The value of one bus record (docs/format/kafka-record.md): version byte 1, then series, each
 * its labels (sorted by name) and its samples (timestamp ms, value bits as stored, so staleness
 * markers keep their NaN payload). Integers are unsigned LEB128 varints, strings UTF-8 with a
 * varint length, timestamps and value bits 8 bytes big-endian.
 */
final class RecordCodec {
  static final byte VERSION = 1;
  /** Bounds a decoder holds every record to, whatever its length field claims. */
  static final int MAX_LABELS = 256;
  static final int MAX_STRING_BYTES = 64 * 1024;

  private RecordCodec() {}

  /** Receives what {@link #decode} reads, series by series. */
  interface Sink {
    void sample(Labels labels, long timestampMs, double value);
  }

  /** Builds one record value. */
  static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    private int series;

    Writer() {
      out.write(VERSION);
    }

    /** Appends one series with samples {@code from <= i < to} of the given arrays. */
    void series(Labels labels, long[] ts, double[] vs, int[] order, int from, int to) {
      varint(labels.size());
      for (int i = 0; i < labels.size(); i++) {
        string(labels.name(i));
        string(labels.value(i));
      }
      varint(to - from);
      for (int i = from; i < to; i++) {
        int k = order[i];
        fixed64(ts[k]);
        fixed64(Double.doubleToRawLongBits(vs[k]));
      }
      series++;
    }

    int size() {
      return out.size();
    }

    int seriesCount() {
      return series;
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }

    private void string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varint(b.length);
      out.write(b, 0, b.length);
    }

    private void varint(int v) {
      while ((v & ~0x7f) != 0) {
        out.write((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      out.write(v);
    }

    private void fixed64(long v) {
      for (int s = 56; s >= 0; s -= 8) {
        out.write((int) (v >>> s));
      }
    }
  }

  /**
   * Reads every sample of {@code value} into {@code sink}; returns the sample count. Throws
   * {@link IllegalArgumentException} naming what is wrong (unknown version, a length past the end
   * or over a bound); the sink may have seen part of the record by then.
   */
  static int decode(byte[] value, Sink sink) {
    Reader r = new Reader(value);
    int version = r.u8();
    if (version != VERSION) {
      throw new IllegalArgumentException("record version: " + version + " (expected: " + VERSION + ")");
    }
    int samples = 0;
    while (r.pos < value.length) {
      int n = r.varint("label count", MAX_LABELS);
      String[] kv = new String[2 * n];
      for (int i = 0; i < kv.length; i++) {
        kv[i] = r.string();
      }
      Labels labels = Labels.ofSorted(kv);
      int k = r.varint("sample count", Integer.MAX_VALUE);
      r.need((long) k * 16);
      for (int j = 0; j < k; j++) {
        long t = r.fixed64();
        sink.sample(labels, t, Double.longBitsToDouble(r.fixed64()));
      }
      samples += k;
    }
    return samples;
  }

  private static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] b) {
      this.b = b;
    }

    int u8() {
      need(1);
      return b[pos++] & 0xff;
    }

    int varint(String what, int max) {
      long v = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        int x = u8();
        v |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) {
          if (v > max) {
            throw new IllegalArgumentException(what + ": " + v + " at byte " + pos + " (expected: <= " + max + ")");
          }
          return (int) v;
        }
      }
      throw new IllegalArgumentException(what + ": varint longer than 5 bytes at byte " + pos);
    }

    String string() {
      int n = varint("string length", MAX_STRING_BYTES);
      need(n);
      String s = new String(b, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    long fixed64() {
      need(8);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (b[pos++] & 0xff);
      }
      return v;
    }

    void need(long n) {
      if (b.length - pos < n) {
        throw new IllegalArgumentException("record truncated at byte " + pos + " of " + b.length
            + " (expected: " + n + " more)");
      }
    }
  }
}
