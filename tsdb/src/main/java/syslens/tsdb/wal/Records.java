package syslens.tsdb.wal;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
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
  }

  public static byte[] encodeSeries(List<SeriesRef> series) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * series.size());
    for (SeriesRef s : series) {
      writeLong(out, s.ref());
      writeUvarint(out, s.labels().size());
      s.labels().forEach((n, v) -> {
        writeString(out, n);
        writeString(out, v);
      });
    }
    return out.toByteArray();
  }

  public static byte[] encodeSamples(long[] refs, long[] ts, double[] vs, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n: " + n + " (expected: > 0)");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 14 * n);
    long baseRef = refs[0];
    long baseT = ts[0];
    writeLong(out, baseRef);
    writeLong(out, baseT);
    for (int i = 0; i < n; i++) {
      writeVarint(out, refs[i] - baseRef);
      writeVarint(out, ts[i] - baseT);
      writeLong(out, Double.doubleToRawLongBits(vs[i]));
    }
    return out.toByteArray();
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
    ByteBuffer b = ByteBuffer.wrap(payload);
    int count = 0;
    try {
      if (type == TYPE_SERIES) {
        while (b.hasRemaining()) {
          long ref = b.getLong();
          long n = readUvarint(b);
          if (n > payload.length) {
            throw new IllegalStateException("series record: " + n + " labels (expected: <= payload size)");
          }
          Labels.Builder lb = Labels.builder();
          for (long i = 0; i < n; i++) {
            lb.set(readString(b), readString(b));
          }
          h.series(ref, lb.build());
          count++;
        }
      } else if (type == TYPE_SAMPLES) {
        long baseRef = b.getLong();
        long baseT = b.getLong();
        while (b.hasRemaining()) {
          long ref = baseRef + readVarint(b);
          long t = baseT + readVarint(b);
          double v = Double.longBitsToDouble(b.getLong());
          h.sample(ref, t, v);
          count++;
        }
      } else {
        throw new IllegalStateException("record type: " + type + " (expected: 1 or 2)");
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalStateException("record type " + type + ": payload ends early at byte "
          + b.position() + " of " + payload.length, e);
    }
    return count;
  }

  private static void writeLong(ByteArrayOutputStream out, long v) {
    for (int s = 56; s >= 0; s -= 8) {
      out.write((int) (v >>> s));
    }
  }

  private static void writeUvarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    writeUvarint(out, (v << 1) ^ (v >> 63));
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeUvarint(out, b.length);
    out.write(b, 0, b.length);
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

  private static String readString(ByteBuffer b) {
    long len = readUvarint(b);
    if (len > b.remaining()) {
      throw new IllegalStateException("string: " + len + " bytes (expected: <= " + b.remaining() + ")");
    }
    byte[] s = new byte[(int) len];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }
}
