package syslens.tsdb.wal;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;
import syslens.storage.Labels;

/**
 * Record framing and payload codecs of the write-ahead log (see docs/format/wal.md).
 *
 * <pre>
 * record  = type:u8 | length:u32be | crc32c(payload):u32be | payload[length]
 * SERIES  = { ref:u64be | uvarint(#labels) | { uvarint(len) name | uvarint(len) value }* }*
 * SAMPLES = baseRef:u64be | baseT:i64be | { varint(ref-baseRef) | varint(t-baseT) | f64bits:u64be }*
 * </pre>
 */
public final class Records {
  public static final byte TYPE_SERIES = 1;
  public static final byte TYPE_SAMPLES = 2;
  public static final int HEADER_BYTES = 9;

  private Records() {}

  /** One series as logged: its ref and labels. */
  public record SeriesRef(long ref, Labels labels) {
    public SeriesRef {
      requireNonNull(labels, "labels");
    }
  }

  /** Receives decoded records during replay. */
  public interface Handler {
    void series(long ref, Labels labels);

    void sample(long ref, long t, double v);

    /**
     * One SAMPLES record's samples, in log order ({@code [0, n)} of arrays reused for the next
     * record); by default each goes to {@link #sample}.
     */
    default void samples(long[] refs, long[] ts, double[] vs, int n) {
      for (int i = 0; i < n; i++) {
        sample(refs[i], ts[i], vs[i]);
      }
    }
  }

  public static byte[] encodeSeries(List<SeriesRef> series) {
    Out out = new Out(64 * series.size() + 16);
    for (SeriesRef s : series) {
      out.i64(s.ref());
      out.uvarint(s.labels().size());
      for (int i = 0; i < s.labels().size(); i++) {
        out.string(s.labels().name(i));
        out.string(s.labels().value(i));
      }
    }
    return out.bytes();
  }

  public static byte[] encodeSamples(long[] refs, long[] ts, double[] vs, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n: " + n + " (expected: > 0)");
    }
    // At most 10 + 10 + 8 bytes per sample; usually 1 + 1 + 8.
    byte[] b = new byte[16 + 28 * n];
    long baseRef = refs[0];
    long baseT = ts[0];
    int p = putLong(b, 0, baseRef);
    p = putLong(b, p, baseT);
    for (int i = 0; i < n; i++) {
      p = putUvarint(b, p, zigzag(refs[i] - baseRef));
      p = putUvarint(b, p, zigzag(ts[i] - baseT));
      p = putLong(b, p, Double.doubleToRawLongBits(vs[i]));
    }
    return java.util.Arrays.copyOf(b, p);
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static int putLong(byte[] b, int p, long v) {
    LONG_BE.set(b, p, v);
    return p + 8;
  }

  private static int putUvarint(byte[] b, int p, long v) {
    while ((v & ~0x7FL) != 0) {
      b[p++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    b[p++] = (byte) v;
    return p;
  }

  private static final java.lang.invoke.VarHandle LONG_BE =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  /** A growable byte array without the per-byte locking of ByteArrayOutputStream. */
  private static final class Out {
    private byte[] b;
    private int p;

    Out(int capacity) {
      b = new byte[capacity];
    }

    private void room(int n) {
      if (p + n > b.length) {
        b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, p + n));
      }
    }

    void i64(long v) {
      room(8);
      p = putLong(b, p, v);
    }

    void uvarint(long v) {
      room(10);
      p = putUvarint(b, p, v);
    }

    void string(String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      uvarint(bytes.length);
      room(bytes.length);
      System.arraycopy(bytes, 0, b, p, bytes.length);
      p += bytes.length;
    }

    byte[] bytes() {
      return java.util.Arrays.copyOf(b, p);
    }
  }

  /** Frames one record: header plus payload. */
  static void frame(ByteBuffer dst, byte type, byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    dst.put(type).putInt(payload.length).putInt((int) crc.getValue()).put(payload);
  }

  static int crc(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return (int) crc.getValue();
  }

  /** Decodes a payload whose CRC already matched; throws IllegalStateException when malformed. */
  static int decode(byte type, byte[] payload, Handler h) {
    return new Decoder().decode(type, ByteBuffer.wrap(payload), h);
  }

  /**
   * Decodes the records of one replay. Label strings are looked up by their bytes in a table
   * shared by every record (each distinct string decoded and interned once), labels are taken in
   * the order they were logged (sorted, as {@link Labels} keeps them) without a builder, and a
   * SAMPLES record is handed over whole ({@link Handler#samples}), after it decoded completely:
   * a malformed record delivers nothing.
   */
  static final class Decoder {
    private final StringTable strings = new StringTable();
    private long[] refs = new long[256];
    private long[] ts = new long[256];
    private double[] vs = new double[256];

    /** Decodes the payload from its position to its limit (e.g. a slice of a mapped segment). */
    int decode(byte type, ByteBuffer b, Handler h) {
      int length = b.remaining();
      int count = 0;
      try {
        if (type == TYPE_SERIES) {
          while (b.hasRemaining()) {
            long ref = b.getLong();
            long n = readUvarint(b);
            if (n > length) {
              throw new IllegalStateException("series record: " + n + " labels (expected: <= payload size)");
            }
            String[] kv = new String[2 * (int) n];
            for (int i = 0; i < kv.length; i++) {
              kv[i] = readString(b);
            }
            h.series(ref, labels(kv));
            count++;
          }
        } else if (type == TYPE_SAMPLES) {
          long baseRef = b.getLong();
          long baseT = b.getLong();
          while (b.hasRemaining()) {
            if (count == refs.length) {
              refs = java.util.Arrays.copyOf(refs, count * 2);
              ts = java.util.Arrays.copyOf(ts, count * 2);
              vs = java.util.Arrays.copyOf(vs, count * 2);
            }
            refs[count] = baseRef + readVarint(b);
            ts[count] = baseT + readVarint(b);
            vs[count] = Double.longBitsToDouble(b.getLong());
            count++;
          }
          h.samples(refs, ts, vs, count);
        } else {
          throw new IllegalStateException("record type: " + type + " (expected: 1 or 2)");
        }
      } catch (java.nio.BufferUnderflowException e) {
        throw new IllegalStateException("record type " + type + ": payload ends early at byte "
            + b.position() + " of " + length, e);
      }
      return count;
    }

    private String readString(ByteBuffer b) {
      long len = readUvarint(b);
      if (len > b.remaining()) {
        throw new IllegalStateException("string: " + len + " bytes (expected: <= " + b.remaining() + ")");
      }
      int at = b.position();
      b.position(at + (int) len);
      return strings.get(b, at, (int) len);
    }

    /** Labels as logged: sorted by name; anything else (never written) goes through a builder. */
    private static Labels labels(String[] kv) {
      try {
        return Labels.ofSorted(kv);
      } catch (IllegalArgumentException e) {
        Labels.Builder lb = Labels.builder();
        for (int i = 0; i < kv.length; i += 2) {
          lb.set(kv[i], kv[i + 1]);
        }
        return lb.build();
      }
    }
  }

  private static long readUvarint(ByteBuffer b) {
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      int x = b.get() & 0xff;
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalStateException("uvarint: longer than 10 bytes (expected: a valid uvarint)");
  }

  private static long readVarint(ByteBuffer b) {
    long u = readUvarint(b);
    return (u >>> 1) ^ -(u & 1);
  }
}
