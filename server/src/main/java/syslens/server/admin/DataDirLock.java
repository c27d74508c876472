package syslens.server.admin;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code <data>/.lock}, held by a running server, so a second server or a
 * restore cannot use the same data directory at the same time.
 */
public final class DataDirLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock; throws IOException naming the directory when another process holds it. */
  public static DataDirLock acquire(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    FileChannel ch = FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      ch.close();
      throw new IOException("data directory " + dataDir + " is in use by a running SysLens server"
          + " (expected: stop it first)");
    }
    return new DataDirLock(ch, l);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
