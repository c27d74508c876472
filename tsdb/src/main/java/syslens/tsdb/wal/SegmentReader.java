package syslens.tsdb.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment file. A damaged record costs that record only: the reader
 * skips to the next offset where a whole record with a matching CRC starts, so intact records
 * after the damage are still replayed (docs/format/wal.md, "Replay and repair").
 */
final class SegmentReader {
  /** A damaged stretch: where it starts, how long it is, why, and whether it runs to the end. */
  record Damage(long offset, long length, String reason, boolean tail) {}

  /** Outcome of reading one segment: records decoded, bytes in them, damaged stretches. */
  record Outcome(long records, long validBytes, long fileSize, List<Damage> damage) {
    /** Offset where a torn tail starts (nothing valid after it), or -1. */
    long tornTailAt() {
      if (damage.isEmpty()) {
        return -1;
      }
      Damage last = damage.get(damage.size() - 1);
      return last.tail() ? last.offset() : -1;
    }
  }

  private SegmentReader() {}

  /** Reads one segment with {@code decoder} (one per replay: its label strings carry over). */
  static Outcome read(Path segment, Records.Decoder decoder, Records.Handler handler) throws IOException {
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new IOException("WAL segment " + segment + ": " + size + " bytes (expected: < 2 GiB)");
      }
      ByteBuffer buf = size == 0 ? ByteBuffer.allocate(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      return read(buf, decoder, handler);
    }
  }

  static Outcome read(ByteBuffer buf, Records.Decoder decoder, Records.Handler handler) {
    int size = buf.limit();
    int offset = 0;
    long records = 0;
    long validBytes = 0;
    List<Damage> damage = new ArrayList<>();
    while (offset < size) {
      String problem = check(buf, offset);
      if (problem == null) {
        int length = buf.getInt(offset + 1);
        try {
          decoder.decode(buf.get(offset), buf.slice(offset + Records.HEADER_BYTES, length), handler);
          records++;
          validBytes += Records.HEADER_BYTES + length;
        } catch (IllegalStateException e) {
          // Intact framing (CRC matched) but a payload we cannot decode: skip exactly this record.
          damage.add(new Damage(offset, Records.HEADER_BYTES + length, "malformed payload: " + e.getMessage(), false));
        }
        offset += Records.HEADER_BYTES + length;
        continue;
      }
      int next = nextValid(buf, offset + 1);
      if (next < 0) {
        damage.add(new Damage(offset, size - offset, problem, true));
        break;
      }
      damage.add(new Damage(offset, next - offset, problem, false));
      offset = next;
    }
    return new Outcome(records, validBytes, size, List.copyOf(damage));
  }

  /** Null when a whole, valid record starts at {@code offset}; else why not. */
  static String check(ByteBuffer buf, int offset) {
    int size = buf.limit();
    if (size - offset < Records.HEADER_BYTES) {
      return "torn record header: " + (size - offset) + " of " + Records.HEADER_BYTES + " bytes";
    }
    byte type = buf.get(offset);
    if (type != Records.TYPE_SERIES && type != Records.TYPE_SAMPLES) {
      return "record type " + type + " (expected: 1 or 2)";
    }
    int length = buf.getInt(offset + 1);
    long available = (long) size - offset - Records.HEADER_BYTES;
    if (length < 0 || length > available) {
      return "record length " + Integer.toUnsignedString(length) + " runs past the segment end ("
          + available + " bytes left)";
    }
    int stored = buf.getInt(offset + 5);
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(offset + Records.HEADER_BYTES, length));
    int actual = (int) crc.getValue();
    if (actual != stored) {
      return String.format("CRC32C mismatch: stored %08x, computed %08x", stored, actual);
    }
    return null;
  }

  /** The first offset at or after {@code from} where a valid record starts, or -1. */
  private static int nextValid(ByteBuffer buf, int from) {
    int size = buf.limit();
    for (int o = from; o + Records.HEADER_BYTES <= size; o++) {
      byte type = buf.get(o);
      if ((type == Records.TYPE_SERIES || type == Records.TYPE_SAMPLES) && check(buf, o) == null) {
        return o;
      }
    }
    return -1;
  }
}
