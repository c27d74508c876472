package syslens.agent.collect;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel page size, from the auxiliary vector ({@code AT_PAGESZ} in /proc/self/auxv). */
final class PageSize {

  static final long DEFAULT = 4096;
  private static final long AT_PAGESZ = 6;

  private PageSize() {}

  static long of(Path procRoot) {
    try {
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(procRoot.resolve("self/auxv")))
          .order(ByteOrder.nativeOrder());
      while (b.remaining() >= 16) {
        long type = b.getLong();
        long value = b.getLong();
        if (type == AT_PAGESZ && value > 0) {
          return value;
        }
        if (type == 0) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // a fixture tree or a restricted /proc: the common size
    }
    return DEFAULT;
  }
}
