package syslens.tsdb.block;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import syslens.storage.Labels;
import syslens.storage.SampleIterator;
import syslens.tsdb.chunkenc.SealedChunk;

/**
 * Writes one immutable block (docs/format/block.md). Series are added in strictly increasing label
 * order; their samples are encoded into sealed chunks as they arrive and only labels and chunk
 * references stay in memory. {@link #commit()} writes the index and meta.json into
 * {@code <parent>/<id>.tmp/}, fsyncs every file and the directory, and renames it atomically to
 * {@code <parent>/<id>/}. Closing an uncommitted writer deletes the temporary directory.
 *
 * <pre>{@code
 * try (BlockWriter w = BlockWriter.builder(dataDir, minTime, maxTime).build()) {
 *   w.addSeries(labels, timestamps, values, n);   // in label order
 *   BlockMeta meta = w.commit();
 * }
 * }</pre>
 */
public final class BlockWriter implements AutoCloseable {
  private final Path parent;
  private final Path tmp;
  private final String id;
  private final long minTime;
  private final long maxTime;
  private final long resolution;
  private final int level;
  private final List<String> sources;
  private final ChunksFile.Writer chunks;
  static final int SHARE_MIN_SAMPLES = 16;
  static final long SHARE_MAX_BYTES = 64L << 20;
  private final IndexWriter index = new IndexWriter();
  private final java.util.HashMap<TimestampKey, Long> sharedTimestamps = new java.util.HashMap<>();
  private long sharedBytes;
  private long numChunks;
  private long numSamples;
  private boolean committed;

  private BlockWriter(Builder b) throws IOException {
    this.parent = b.parent;
    this.id = b.id != null ? b.id : BlockId.next(b.clock.millis());
    this.minTime = b.minTime;
    this.maxTime = b.maxTime;
    this.resolution = b.resolution;
    this.level = b.level;
    this.sources = b.sources.isEmpty() ? List.of(id) : List.copyOf(b.sources);
    this.tmp = parent.resolve(id + ".tmp");
    Files.createDirectories(tmp);
    this.chunks = new ChunksFile.Writer(tmp.resolve("chunks"), b.segmentBytes);
  }

  /** A writer for a block covering [minTime, maxTime] (inclusive) under {@code parent}. */
  public static Builder builder(Path parent, long minTime, long maxTime) {
    return new Builder(parent, minTime, maxTime);
  }

  public String id() {
    return id;
  }

  /**
   * Adds one series' samples {@code [0, n)} (timestamps strictly increasing, all inside the block
   * range). Series with no samples are skipped.
   */
  public void addSeries(Labels labels, long[] ts, double[] vs, int n) throws IOException {
    requireNonNull(labels, "labels");
    if (n == 0) {
      return;
    }
    for (int i = 0; i < n; i++) {
      if (ts[i] < minTime || ts[i] > maxTime) {
        throw new IllegalArgumentException("series " + labels + ": sample at " + ts[i]
            + " (expected: within the block range " + minTime + ".." + maxTime + ")");
      }
      if (i > 0 && ts[i] <= ts[i - 1]) {
        throw new IllegalArgumentException("series " + labels + ": timestamp " + ts[i] + " after "
            + ts[i - 1] + " (expected: strictly increasing)");
      }
    }
    List<ChunkRef> refs = new ArrayList<>();
    for (int off = 0; off < n; off += SealedChunk.MAX_SAMPLES) {
      int len = Math.min(SealedChunk.MAX_SAMPLES, n - off);
      long[] t = off == 0 && len == ts.length ? ts : java.util.Arrays.copyOfRange(ts, off, off + len);
      double[] v = off == 0 && len == vs.length ? vs : java.util.Arrays.copyOfRange(vs, off, off + len);
      refs.add(new ChunkRef(t[0], t[len - 1], chunks.write(encode(t, v, len))));
    }
    index.add(labels, refs);
    numChunks += refs.size();
    numSamples += n;
  }

  /**
   * Series scraped together share their timestamps; a column seen before is written once and
   * referenced (docs/format/chunk.md, "Shared timestamps").
   */
  private byte[] encode(long[] t, double[] v, int len) throws IOException {
    if (len < SHARE_MIN_SAMPLES) {
      return SealedChunk.encode(t, v, len);
    }
    long[] key = t.length == len ? t : java.util.Arrays.copyOf(t, len);
    Long ref = sharedTimestamps.get(new TimestampKey(key));
    if (ref == null) {
      ref = chunks.write(SealedChunk.encodeTimestamps(key, len));
      if (sharedBytes + 8L * len > SHARE_MAX_BYTES) {
        // Bounds memory (1,000 hosts x 2 h at 10 s is ~6 MiB); later columns start a new map.
        sharedTimestamps.clear();
        sharedBytes = 0;
      }
      sharedTimestamps.put(new TimestampKey(key.clone()), ref);
      sharedBytes += 8L * len;
    }
    return SealedChunk.encodeShared(ref, v, len);
  }

  /** A timestamp column as a map key (content equality). */
  private record TimestampKey(long[] ts) {
    @Override
    public boolean equals(Object o) {
      return o instanceof TimestampKey k && java.util.Arrays.equals(ts, k.ts);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(ts);
    }
  }

  /** Adds one series from an iterator (drained up to the block's maxTime). */
  public void addSeries(Labels labels, SampleIterator it) throws IOException {
    long[] ts = new long[256];
    double[] vs = new double[256];
    int n = 0;
    while (it.next()) {
      if (n == ts.length) {
        ts = java.util.Arrays.copyOf(ts, n * 2);
        vs = java.util.Arrays.copyOf(vs, n * 2);
      }
      ts[n] = it.timestamp();
      vs[n] = it.value();
      n++;
    }
    addSeries(labels, ts, vs, n);
  }

  /** Adds one series as already-encoded chunks (e.g. rollup chunks), with their time ranges. */
  public void addEncodedSeries(Labels labels, List<EncodedChunk> encoded, long samples) throws IOException {
    requireNonNull(labels, "labels");
    if (encoded.isEmpty()) {
      return;
    }
    List<ChunkRef> refs = new ArrayList<>();
    for (EncodedChunk c : encoded) {
      if (c.minTime() < minTime || c.maxTime() > maxTime || c.minTime() > c.maxTime()) {
        throw new IllegalArgumentException("series " + labels + ": chunk " + c.minTime() + ".."
            + c.maxTime() + " (expected: within " + minTime + ".." + maxTime + ")");
      }
      refs.add(new ChunkRef(c.minTime(), c.maxTime(), chunks.write(c.data())));
    }
    index.add(labels, refs);
    numChunks += refs.size();
    numSamples += samples;
  }

  /** One encoded chunk and its inclusive time range. */
  public record EncodedChunk(long minTime, long maxTime, byte[] data) {}

  /** Writes index and meta.json, fsyncs and renames the block into place; returns its meta. */
  public BlockMeta commit() throws IOException {
    if (committed) {
      throw new IllegalStateException("block " + id + " already committed");
    }
    chunks.close();
    index.write(tmp.resolve("index"));
    List<BlockMeta.FileEntry> files = new ArrayList<>();
    long bytes = 0;
    for (Path f : chunks.files()) {
      long size = Files.size(f);
      files.add(new BlockMeta.FileEntry("chunks/" + f.getFileName(), size));
      bytes += size;
    }
    long indexSize = Files.size(tmp.resolve("index"));
    files.add(new BlockMeta.FileEntry("index", indexSize));
    bytes += indexSize;
    BlockMeta meta = new BlockMeta(id, minTime, maxTime,
        new BlockMeta.Stats(index.numSeries(), numChunks, numSamples, bytes),
        new BlockMeta.Compaction(level, sources), BlockMeta.VERSION, resolution, files);
    Path metaFile = tmp.resolve(BlockMeta.FILE);
    meta.write(metaFile);
    fsync(metaFile);
    fsync(tmp.resolve("chunks"));
    fsync(tmp);
    Path dst = parent.resolve(id);
    Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE);
    fsync(parent);
    committed = true;
    return meta;
  }

  static void fsync(Path p) throws IOException {
    if (Files.isDirectory(p)) {
      try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
        c.force(true);
      } catch (IOException e) {
        // Some file systems refuse to open directories for fsync; the rename is still atomic.
      }
    } else {
      try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
        c.force(true);
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (!committed) {
      try {
        chunks.close();
      } catch (IOException ignored) {
        // being discarded anyway
      }
      Blocks.deleteRecursively(tmp);
    }
  }

  /** Options of a {@link BlockWriter}. */
  public static final class Builder {
    private final Path parent;
    private final long minTime;
    private final long maxTime;
    private long resolution;
    private int level = 1;
    private List<String> sources = List.of();
    private String id;
    private java.time.Clock clock = java.time.Clock.systemUTC();
    private long segmentBytes = ChunksFile.DEFAULT_SEGMENT_BYTES;

    private Builder(Path parent, long minTime, long maxTime) {
      this.parent = requireNonNull(parent, "parent");
      if (minTime > maxTime) {
        throw new IllegalArgumentException("minTime: " + minTime + " (expected: <= maxTime " + maxTime + ")");
      }
      this.minTime = minTime;
      this.maxTime = maxTime;
    }

    /** 0 (raw, the default) or the rollup interval in ms. */
    public Builder resolution(long ms) {
      if (ms < 0) {
        throw new IllegalArgumentException("resolution: " + ms + " (expected: >= 0)");
      }
      this.resolution = ms;
      return this;
    }

    public Builder level(int level) {
      if (level < 1) {
        throw new IllegalArgumentException("level: " + level + " (expected: >= 1)");
      }
      this.level = level;
      return this;
    }

    /** Ids of the level-1 blocks this block replaces (default: itself). */
    public Builder sources(List<String> sources) {
      this.sources = List.copyOf(sources);
      return this;
    }

    public Builder clock(java.time.Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** A fixed id (tests, fixtures). */
    public Builder id(String id) {
      this.id = requireNonNull(id, "id");
      return this;
    }

    public Builder segmentBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("segmentBytes: " + bytes + " (expected: >= 1024)");
      }
      this.segmentBytes = bytes;
      return this;
    }

    public BlockWriter build() throws IOException {
      try {
        return new BlockWriter(this);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
  }
}
