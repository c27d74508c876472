package syslens.tsdb.block;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.tsdb.chunkenc.ArrayIterator;
import syslens.tsdb.chunkenc.RollupChunk;
import syslens.tsdb.chunkenc.CorruptChunkException;
import syslens.tsdb.chunkenc.SealedChunk;

/**
 * An open, immutable, memory-mapped block. {@link #open} validates meta.json (version, range,
 * file sizes), the index (magic, table of contents, CRC32C of every section) and the chunk segment
 * headers; chunk CRCs are checked on every read and, on request, all at once by
 * {@link #verifyChunks()}.
 *
 * <p>Reference counted: the opener holds one reference, every {@link #querier} another until the
 * querier is closed. {@link #close()} drops the opener's reference; {@link #closeAndDelete()} also
 * deletes the directory once the last reader is done, so compaction never pulls a block from
 * under a running query. Thread-safe.
 */
public final class Block implements AutoCloseable {
  private final Path dir;
  private final BlockMeta meta;
  private final IndexReader index;
  private final ChunksFile.Reader chunks;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean deleteWhenReleased;
  private final java.util.Map<Long, long[]> tsCache = new java.util.concurrent.ConcurrentHashMap<>();

  private Block(Path dir, BlockMeta meta, IndexReader index, ChunksFile.Reader chunks) {
    this.dir = dir;
    this.meta = meta;
    this.index = index;
    this.chunks = chunks;
  }

  /**
   * Opens and validates the block in {@code dir}.
   *
   * @throws CorruptBlockException naming the damaged file when validation fails
   * @throws IOException when a file cannot be read
   */
  public static Block open(Path dir) throws IOException {
    requireNonNull(dir, "dir");
    Path metaFile = dir.resolve(BlockMeta.FILE);
    if (!Files.isRegularFile(metaFile)) {
      throw new CorruptBlockException(metaFile, "missing (expected: a block directory with meta.json)");
    }
    BlockMeta meta = BlockMeta.read(metaFile);
    if (!meta.id().equals(dir.getFileName().toString())) {
      throw new CorruptBlockException(metaFile, "id " + meta.id() + " (expected: the directory name " + dir.getFileName() + ")");
    }
    for (BlockMeta.FileEntry f : meta.files()) {
      Path p = dir.resolve(f.path()).normalize();
      if (!p.startsWith(dir)) {
        throw new CorruptBlockException(metaFile, "file " + f.path() + " outside the block directory");
      }
      long size = Files.exists(p) ? Files.size(p) : -1;
      if (size != f.size()) {
        throw new CorruptBlockException(p, "size " + size + " (expected: " + f.size() + " per meta.json)");
      }
    }
    IndexReader index = new IndexReader(dir.resolve("index"));
    ChunksFile.Reader chunks = new ChunksFile.Reader(dir.resolve("chunks"));
    return new Block(dir, meta, index, chunks);
  }

  public Path dir() {
    return dir;
  }

  public BlockMeta meta() {
    return meta;
  }

  IndexReader index() {
    return index;
  }

  /** The raw bytes of the chunk at {@code ref}, CRC-checked. */
  byte[] chunk(long ref) {
    return chunks.read(ref);
  }

  /** Decodes the chunk at {@code ref} into samples (sealed, or values with shared timestamps). */
  SampleIterator samples(long ref, RollupChunk.Column column) {
    byte[] data = chunk(ref);
    try {
      int enc = data.length == 0 ? -1 : data[0];
      switch (enc) {
        case SealedChunk.ENCODING:
          return SealedChunk.iterator(data);
        case SealedChunk.SHARED_ENCODING: {
          SealedChunk.SharedValues v = SealedChunk.decodeShared(data);
          long[] ts = timestamps(v.timestampsRef());
          if (ts.length != v.values().length) {
            throw new CorruptChunkException("shared timestamp column has " + ts.length
                + " samples (expected: " + v.values().length + ")");
          }
          return new ArrayIterator(ts, v.values(), ts.length);
        }
        case RollupChunk.ENCODING: {
          RollupChunk.Points p = RollupChunk.decode(data, column.bit());
          return new ArrayIterator(p.timestamps(), p.column(column), p.size());
        }
        default:
          throw new CorruptChunkException("chunk encoding " + enc + " (expected: "
              + SealedChunk.ENCODING + ", " + SealedChunk.SHARED_ENCODING + " or " + RollupChunk.ENCODING + ")");
      }
    } catch (CorruptChunkException e) {
      throw new CorruptBlockException(dir.resolve("chunks"),
          "chunk ref " + Long.toHexString(ref) + ": " + e.getMessage(), e);
    }
  }

  private void decodeAll(long ref) {
    byte[] data = chunk(ref);
    if (data.length > 0 && data[0] == RollupChunk.ENCODING) {
      try {
        RollupChunk.decode(data);
      } catch (CorruptChunkException e) {
        throw new CorruptBlockException(dir.resolve("chunks"),
            "chunk ref " + Long.toHexString(ref) + ": " + e.getMessage(), e);
      }
    }
  }

  private long[] timestamps(long ref) {
    long[] cached = tsCache.get(ref);
    if (cached == null) {
      cached = SealedChunk.decodeTimestamps(chunk(ref));
      if (tsCache.size() > 256) {
        tsCache.clear();
      }
      tsCache.put(ref, cached);
    }
    return cached;
  }

  /**
   * Checks the CRC32C of every chunk record (a sequential scan of the mapped segments); returns
   * the number of chunks.
   *
   * @throws CorruptBlockException naming the damaged file
   */
  public long verifyChecksums() {
    return chunks.verify();
  }

  /**
   * Checks the CRC32C of every chunk and decodes the sealed ones; returns the number of chunks.
   *
   * @throws CorruptBlockException naming the damaged file
   */
  public long verifyChunks() {
    long n = chunks.verify();
    for (int ref : index.allPostings()) {
      IndexReader.SeriesEntry s = index.series(ref);
      for (ChunkRef c : s.chunks()) {
        try {
          if (meta.isRollup()) {
            decodeAll(c.ref()); // every column, where a reader decodes only the ones it needs
          }
          SampleIterator it = samples(c.ref(), RollupChunk.Column.LAST);
          long prev = Long.MIN_VALUE;
          long count = 0;
          while (it.next()) {
            if (it.timestamp() < c.minTime() || it.timestamp() > c.maxTime() || (count > 0 && it.timestamp() <= prev)) {
              throw new CorruptBlockException(dir.resolve("index"), "series " + s.labels()
                  + ": sample at " + it.timestamp() + " outside its chunk's range " + c.minTime() + ".." + c.maxTime());
            }
            prev = it.timestamp();
            count++;
          }
        } catch (CorruptBlockException e) {
          throw new CorruptBlockException(e.file(), "series " + s.labels() + ": " + e.getMessage(), e);
        }
      }
    }
    return n;
  }

  /** Takes a read reference; false when the block is already fully closed. */
  boolean acquire() {
    while (true) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  void release() {
    if (refs.decrementAndGet() == 0 && deleteWhenReleased) {
      try {
        Blocks.deleteRecursively(dir);
      } catch (IOException e) {
        // Left for the next open's cleanup: a block replaced by a compacted one is deleted there.
      }
    }
  }

  /** Current references (the opener's plus open queriers'); 0 once closed and released. */
  public int refCount() {
    return refs.get();
  }

  /**
   * A querier over [mint, maxt] holding a reference until closed.
   *
   * @throws IllegalStateException when the block is closed
   */
  public Querier querier(long mint, long maxt) {
    if (!acquire()) {
      throw new IllegalStateException("block " + meta.id() + " is closed");
    }
    return new BlockQuerier(this, mint, maxt);
  }

  /** One series of a rollup block with its points inside the requested range. */
  public record RollupSeries(syslens.storage.Labels labels, RollupChunk.Points points) {}

  /**
   * The rollup points of the series matching {@code matchers} with timestamps in [mint, maxt], in
   * label order (rollup blocks only; raw blocks return nothing).
   */
  public java.util.List<RollupSeries> selectRollups(java.util.List<syslens.storage.Matcher> matchers,
      long mint, long maxt) {
    return selectRollups(matchers, mint, maxt, RollupChunk.ALL);
  }

  /**
   * As {@link #selectRollups(java.util.List, long, long)}, decoding only the columns in {@code
   * columns} (a set of {@link RollupChunk.Column#bit()}s; the others hold NaN): a query that
   * reads the sums and counts of two years of points decodes two of the six columns.
   */
  public java.util.List<RollupSeries> selectRollups(java.util.List<syslens.storage.Matcher> matchers,
      long mint, long maxt, int columns) {
    java.util.List<RollupSeries> out = new java.util.ArrayList<>();
    if (!meta.isRollup() || !meta.overlaps(mint, maxt)) {
      return out;
    }
    for (int ref : index.select(matchers)) {
      RollupSeries rs = rollupSeries(ref, mint, maxt, columns);
      if (rs != null) {
        out.add(rs);
      }
    }
    return out;
  }

  /**
   * Every series' rollup points in [mint, maxt], in label order, decoded one series at a time as
   * the iterator advances (what compaction streams through; rollup blocks only, raw blocks give
   * nothing). The caller holds a reference ({@link #querier}) while iterating.
   */
  public java.util.Iterator<RollupSeries> rollupSeries(long mint, long maxt) {
    int[] refs = meta.isRollup() && meta.overlaps(mint, maxt) ? index.select(java.util.List.of()) : new int[0];
    return new java.util.Iterator<>() {
      private int i;
      private RollupSeries next;

      @Override
      public boolean hasNext() {
        while (next == null && i < refs.length) {
          next = rollupSeries(refs[i++], mint, maxt, RollupChunk.ALL);
        }
        return next != null;
      }

      @Override
      public RollupSeries next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        RollupSeries out = next;
        next = null;
        return out;
      }
    };
  }

  /** Series {@code ref}'s rollup points in [mint, maxt] ({@code columns} decoded); null when it has none there. */
  private RollupSeries rollupSeries(int ref, long mint, long maxt, int columns) {
    IndexReader.SeriesEntry e = index.series(ref);
    java.util.List<RollupChunk.Points> parts = new java.util.ArrayList<>();
    for (ChunkRef c : e.chunks()) {
      if (!c.overlaps(mint, maxt)) {
        continue;
      }
      byte[] data = chunk(c.ref());
      try {
        parts.add(RollupChunk.decode(data, columns));
      } catch (CorruptChunkException ex) {
        throw new CorruptBlockException(dir.resolve("chunks"),
            "series " + e.labels() + ": " + ex.getMessage(), ex);
      }
    }
    RollupChunk.Points p = RollupChunk.slice(parts, mint, maxt, columns);
    return p.size() > 0 ? new RollupSeries(e.labels(), p) : null;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release();
    }
  }

  /** Closes and deletes the directory once the last querier is closed. */
  public void closeAndDelete() {
    deleteWhenReleased = true;
    close();
  }

  @Override
  public String toString() {
    return "Block{" + meta.id() + " " + meta.minTime() + ".." + meta.maxTime() + " res=" + meta.resolution() + "}";
  }
}
