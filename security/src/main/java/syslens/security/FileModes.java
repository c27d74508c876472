package syslens.security;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Owner-only modes for a data directory: every directory 0700, every file 0600. Run at start
 * (after the stores opened their files) so hashes, keys, WAL and databases are not readable by
 * other local users; files created later sit in 0700 directories.
 */
public final class FileModes {
  static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private FileModes() {}

  /** True where the file system has POSIX modes (not on Windows). */
  public static boolean supported() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Creates {@code dir} if needed with mode 0700. */
  public static void createPrivateDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (supported()) {
      Files.setPosixFilePermissions(dir, DIR);
    }
  }

  /** Sets 0700 on {@code root} and every directory below it and 0600 on every regular file. */
  public static void restrictTree(Path root) throws IOException {
    if (!supported() || !Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        Files.setPosixFilePermissions(d, DIR);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile()) {
          Files.setPosixFilePermissions(f, FILE);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path f, IOException e) {
        return FileVisitResult.CONTINUE; // a file removed meanwhile (e.g. a WAL segment) is fine
      }
    });
  }
}
