package syslens.agent.collect;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * statvfs(3) through the Foreign Function API, reached by reflection so the module still compiles
 * for release 21 (where that API is a preview). Gives inode counts, which java.nio does not.
 * Only used on 64-bit Linux with JDK 22+; {@link #load()} returns empty elsewhere.
 */
final class NativeStatvfs implements FsStats.Reader {

  // struct statvfs on 64-bit glibc/musl: unsigned longs f_bsize, f_frsize, f_blocks, f_bfree,
  // f_bavail, f_files, f_ffree, f_favail, f_fsid, f_flag, f_namemax, then int spare[6] (112 bytes).
  private static final long STRUCT_BYTES = 256;
  private static final long OFF_BSIZE = 0;
  private static final long OFF_BLOCKS = 16;
  private static final long OFF_BFREE = 24;
  private static final long OFF_BAVAIL = 32;
  private static final long OFF_FILES = 40;
  private static final long OFF_FFREE = 48;

  private final MethodHandle statvfs;
  private final Method ofConfined;
  private final Method allocateString;
  private final Method allocate;
  private final Method getLong;
  private final Object javaLong;
  private final Method close;

  private NativeStatvfs() throws ReflectiveOperationException {
    Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
    Class<?> fdC = Class.forName("java.lang.foreign.FunctionDescriptor");
    Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
    Class<?> valueC = Class.forName("java.lang.foreign.ValueLayout");
    Class<?> segmentC = Class.forName("java.lang.foreign.MemorySegment");
    Class<?> arenaC = Class.forName("java.lang.foreign.Arena");
    Class<?> allocatorC = Class.forName("java.lang.foreign.SegmentAllocator");
    Class<?> lookupC = Class.forName("java.lang.foreign.SymbolLookup");
    Class<?> optionC = Class.forName("java.lang.foreign.Linker$Option");
    Class<?> ofLongC = Class.forName("java.lang.foreign.ValueLayout$OfLong");

    Object linker = linkerC.getMethod("nativeLinker").invoke(null);
    Object lookup = linkerC.getMethod("defaultLookup").invoke(linker);
    Optional<?> symbol = (Optional<?>) lookupC.getMethod("find", String.class)
        .invoke(lookup, "statvfs");
    if (symbol.isEmpty()) {
      throw new ReflectiveOperationException("statvfs: symbol not found");
    }
    Object address = valueC.getField("ADDRESS").get(null);
    Object args = Array.newInstance(layoutC, 2);
    Array.set(args, 0, address);
    Array.set(args, 1, address);
    Object descriptor = fdC.getMethod("of", layoutC, args.getClass())
        .invoke(null, valueC.getField("JAVA_INT").get(null), args);
    Object options = Array.newInstance(optionC, 0);
    this.statvfs = (MethodHandle) linkerC
        .getMethod("downcallHandle", segmentC, fdC, options.getClass())
        .invoke(linker, symbol.get(), descriptor, options);
    this.ofConfined = arenaC.getMethod("ofConfined");
    this.allocateString = allocatorC.getMethod("allocateFrom", String.class);
    this.allocate = allocatorC.getMethod("allocate", long.class);
    this.getLong = segmentC.getMethod("get", ofLongC, long.class);
    this.javaLong = valueC.getField("JAVA_LONG").get(null);
    this.close = arenaC.getMethod("close");
  }

  /** The native reader when this JVM and platform support it. */
  static Optional<FsStats.Reader> load() {
    String arch = System.getProperty("os.arch", "");
    if (Runtime.version().feature() < 22
        || !System.getProperty("os.name", "").equals("Linux")
        || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
      return Optional.empty();
    }
    try {
      NativeStatvfs reader = new NativeStatvfs();
      reader.read("/"); // fail now, not on every round
      return Optional.of(reader);
    } catch (Throwable t) {
      return Optional.empty();
    }
  }

  @Override
  public FsStats read(String mountpoint) throws IOException {
    Object arena;
    try {
      arena = ofConfined.invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IOException("statvfs " + mountpoint + ": " + e, e);
    }
    try {
      Object path = allocateString.invoke(arena, mountpoint);
      Object buf = allocate.invoke(arena, STRUCT_BYTES);
      int rc = (int) statvfs.invoke(path, buf);
      if (rc != 0) {
        throw new IOException("statvfs " + mountpoint + ": failed (rc " + rc + ")");
      }
      long bsize = field(buf, OFF_BSIZE);
      return new FsStats(field(buf, OFF_BLOCKS) * bsize, field(buf, OFF_BFREE) * bsize,
          field(buf, OFF_BAVAIL) * bsize, field(buf, OFF_FILES), field(buf, OFF_FFREE));
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("statvfs " + mountpoint + ": " + t, t);
    } finally {
      try {
        close.invoke(arena);
      } catch (ReflectiveOperationException ignored) {
        // nothing to release beyond what the arena already freed
      }
    }
  }

  private long field(Object segment, long offset) throws ReflectiveOperationException {
    return (long) getLong.invoke(segment, javaLong, offset);
  }
}
