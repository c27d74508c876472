package syslens.agent.collect;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads small /proc and /sys files kept open between rounds: one pread from offset 0 each (procfs
 * and sysfs regenerate the content for a read at offset 0), into one reused buffer, instead of an
 * open, two reads, a close and a fresh 8 KiB array per file per round. Not thread-safe: one per
 * collector.
 */
final class KeptFiles {

  /** The bytes of the last read; valid up to the length it returned. */
  final byte[] buf;
  private final ByteBuffer direct;

  KeptFiles(int capacity) {
    buf = new byte[capacity];
    direct = ByteBuffer.allocateDirect(capacity);
  }

  /** Opens {@code file} for reading, or null when it cannot be opened (it does not exist). */
  static FileChannel open(Path file) {
    try {
      return FileChannel.open(file);
    } catch (IOException e) {
      return null;
    }
  }

  static void close(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // a procfs or sysfs file: nothing was written
      }
    }
  }

  /**
   * One pread from offset 0 into {@link #buf} (more only for a regular file, e.g. a test fixture,
   * that answers in parts): the length read, or -1 when {@code ch} is null or the read fails (the
   * process ended, the kernel refuses the attribute).
   */
  int read(FileChannel ch) {
    if (ch == null) {
      return -1;
    }
    direct.clear();
    try {
      while (direct.hasRemaining() && ch.read(direct, direct.position()) > 0) {
        // procfs and sysfs answer in one read
      }
    } catch (IOException e) {
      return -1;
    }
    int n = direct.position();
    direct.flip().get(buf, 0, n);
    return n;
  }

  /**
   * The decimal number at the start of the last read (an optional '-' and digits, then anything),
   * or {@code fallback} when there is none.
   */
  long decimal(int n, long fallback) {
    int i = 0;
    boolean neg = n > 0 && buf[0] == '-';
    if (neg) {
      i++;
    }
    int start = i;
    long v = 0;
    while (i < n && buf[i] >= '0' && buf[i] <= '9') {
      v = v * 10 + (buf[i] - '0');
      i++;
    }
    if (i == start || (i < n && buf[i] != '\n')) {
      return fallback;
    }
    return neg ? -v : v;
  }
}
