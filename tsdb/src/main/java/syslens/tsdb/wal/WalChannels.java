package syslens.tsdb.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * How the WAL opens segment files for writing. Production uses {@link #DEFAULT}; fault-injection
 * tests pass channels that fail writes, fsyncs or truncations at chosen points.
 */
@FunctionalInterface
public interface WalChannels {
  /** Creates {@code path} (it must not exist) and opens it for writing at offset 0. */
  FileChannel create(Path path) throws IOException;

  /** Plain files, readable and writable by the owner only where the file system has POSIX modes. */
  WalChannels DEFAULT = path -> {
    Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return FileChannel.open(path, options,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    return FileChannel.open(path, options);
  };
}
