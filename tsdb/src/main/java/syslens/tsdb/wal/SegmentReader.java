package syslens.tsdb.wal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the records of one segment file, stopping at the first torn or corrupt one. */
final class SegmentReader {
  /** Outcome of reading one segment. */
  record Outcome(long records, long validBytes, long fileSize, String problem) {}

  private SegmentReader() {}

  static Outcome read(Path segment, Records.Handler handler) throws IOException {
    long size = Files.size(segment);
    long offset = 0;
    long records = 0;
    byte[] header = new byte[Records.HEADER_BYTES];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(segment), 1 << 16)) {
      while (true) {
        int got = in.readNBytes(header, 0, header.length);
        if (got == 0) {
          return new Outcome(records, offset, size, null);
        }
        if (got < header.length) {
          return new Outcome(records, offset, size,
              "torn record header: " + got + " of " + Records.HEADER_BYTES + " bytes");
        }
        ByteBuffer h = ByteBuffer.wrap(header);
        byte type = h.get();
        int length = h.getInt();
        int crc = h.getInt();
        if (type != Records.TYPE_SERIES && type != Records.TYPE_SAMPLES) {
          return new Outcome(records, offset, size, "record type " + type + " (expected: 1 or 2)");
        }
        long available = size - offset - Records.HEADER_BYTES;
        if (length < 0 || length > available) {
          return new Outcome(records, offset, size, "record length " + Integer.toUnsignedString(length)
              + " runs past the segment end (" + available + " bytes left)");
        }
        byte[] payload = in.readNBytes(length);
        if (payload.length < length) {
          return new Outcome(records, offset, size, "torn payload: " + payload.length + " of " + length + " bytes");
        }
        int actual = Records.crc(payload);
        if (actual != crc) {
          return new Outcome(records, offset, size, String.format(
              "CRC32C mismatch: stored %08x, computed %08x", crc, actual));
        }
        try {
          Records.decode(type, payload, handler);
        } catch (IllegalStateException e) {
          return new Outcome(records, offset, size, "malformed payload: " + e.getMessage());
        }
        records++;
        offset += Records.HEADER_BYTES + length;
      }
    }
  }
}
