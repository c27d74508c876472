package syslens.tsdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import syslens.tsdb.wal.WalChannels;

/**
 * WAL channels that fail on command: a write that stores only part of its bytes and then throws
 * (disk full), an fsync that throws or blocks until released, a segment that cannot be created.
 */
final class FaultyChannels implements WalChannels {
  /** When >= 0: the next write stores this many bytes, then throws (one shot). */
  final AtomicLong partialWrite = new AtomicLong(-1);
  /** Writes fail outright while positive (each failure counts one down). */
  final AtomicInteger failWrites = new AtomicInteger();
  /** fsyncs fail while positive (each failure counts one down). */
  final AtomicInteger failForces = new AtomicInteger();
  /** Segment creations fail while positive. */
  final AtomicInteger failCreates = new AtomicInteger();
  /** When set, fsyncs wait for it (and count {@link #forceEntered} down on entry). */
  volatile CountDownLatch holdForces;
  volatile CountDownLatch forceEntered = new CountDownLatch(1);

  @Override
  public FileChannel create(Path path) throws IOException {
    if (failCreates.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IOException("injected: cannot create " + path);
    }
    return new Faulty(WalChannels.DEFAULT.create(path));
  }

  private final class Faulty extends FileChannel {
    private final FileChannel ch;

    Faulty(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (failWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IOException("injected: No space left on device");
      }
      long part = partialWrite.getAndSet(-1);
      if (part >= 0) {
        ByteBuffer head = src.slice(src.position(), (int) Math.min(part, src.remaining()));
        int n = ch.write(head);
        src.position(src.position() + n);
        throw new IOException("injected: No space left on device after " + n + " bytes");
      }
      return ch.write(src);
    }

    @Override
    public void force(boolean metaData) throws IOException {
      CountDownLatch hold = holdForces;
      if (hold != null) {
        forceEntered.countDown();
        try {
          hold.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
      if (failForces.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IOException("injected: Input/output error");
      }
      ch.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return ch.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return ch.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      throw new UnsupportedOperationException("gathering writes are not used by the WAL");
    }

    @Override
    public long position() throws IOException {
      return ch.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      ch.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      ch.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return ch.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      return ch.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return ch.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      throw new UnsupportedOperationException("positional writes are not used by the WAL");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return ch.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return ch.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return ch.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      ch.close();
    }
  }
}
