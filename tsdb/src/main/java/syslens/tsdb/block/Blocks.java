package syslens.tsdb.block;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import syslens.storage.Querier;

/**
 * The set of open blocks in one directory: what the engine queries besides its head. Opening
 * deletes unfinished {@code *.tmp} directories, opens every block directory (checking meta.json,
 * file sizes, the index's checksums and every chunk's CRC32C), reports and skips the ones that
 * fail validation (see {@link #failures()}; they are left on disk for inspection), and
 * deletes blocks that a compacted block already replaces (a crash between a compaction's commit and
 * the deletion of its sources).
 *
 * <p>Thread-safe. The list is swapped copy-on-write: queriers pin the blocks they read (reference
 * counts), so {@link #replace} never waits for readers and readers never wait for it.
 */
public final class Blocks implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Blocks.class.getName());

  /** A block directory that could not be opened, and why. */
  public record LoadFailure(Path dir, String reason) {}

  private final Path dir;
  private final Object writeLock = new Object();
  private volatile List<Block> blocks;
  private final List<LoadFailure> failures = new CopyOnWriteArrayList<>();

  private Blocks(Path dir, List<Block> blocks) {
    this.dir = dir;
    this.blocks = List.copyOf(blocks);
  }

  /** Opens every block under {@code dir} (created if missing), checking every chunk's CRC. */
  public static Blocks open(Path dir) throws IOException {
    return open(dir, true);
  }

  /**
   * Opens every block under {@code dir} (created if missing). {@code verifyChunks} false skips the
   * full CRC scan of the chunk segments (a sequential read of all block data) for a faster start;
   * damaged chunks are then found when a query or compaction reads them.
   */
  public static Blocks open(Path dir, boolean verifyChunks) throws IOException {
    requireNonNull(dir, "dir");
    Files.createDirectories(dir);
    List<Block> opened = new ArrayList<>();
    List<LoadFailure> failed = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.endsWith(".tmp") && Files.isDirectory(p)) {
          deleteRecursively(p);
        } else if (BlockId.isValid(name) && Files.isDirectory(p)) {
          Block b = null;
          try {
            b = Block.open(p);
            if (verifyChunks) {
              b.verifyChecksums();
            }
            opened.add(b);
          } catch (IOException | RuntimeException e) {
            if (b != null) {
              b.close();
            }
            String reason = e.getMessage();
            failed.add(new LoadFailure(p, reason));
            LOG.log(System.Logger.Level.ERROR, "skipping unreadable block " + p + ": " + reason);
          }
        }
      }
    }
    opened.sort(Comparator.comparingLong((Block b) -> b.meta().minTime()).thenComparing(b -> b.meta().id()));
    List<Block> live = new ArrayList<>();
    for (Block b : opened) {
      if (replacedByAnother(b, opened)) {
        LOG.log(System.Logger.Level.INFO, "deleting block " + b.meta().id() + ": replaced by a compacted block");
        b.closeAndDelete();
      } else {
        live.add(b);
      }
    }
    Blocks out = new Blocks(dir, live);
    out.failures.addAll(failed);
    return out;
  }

  private static boolean replacedByAnother(Block b, List<Block> all) {
    Set<String> mine = new HashSet<>(b.meta().compaction().sources());
    for (Block o : all) {
      if (o != b && o.meta().resolution() == b.meta().resolution()
          && o.meta().compaction().sources().size() > mine.size()
          && o.meta().compaction().sources().containsAll(mine)) {
        return true;
      }
    }
    return false;
  }

  public Path dir() {
    return dir;
  }

  /** Blocks that failed validation when opened (skipped, left on disk). */
  public List<LoadFailure> failures() {
    return List.copyOf(failures);
  }

  /** A snapshot of the open blocks, by minTime. */
  public List<Block> blocks() {
    return blocks;
  }

  /** Blocks and bytes of one tier, for /metrics. */
  public record TierStats(long resolution, int blocks, long bytes, long series, long samples) {}

  /** Per resolution (0 = raw), the open blocks' count and sizes, ascending by resolution. */
  public List<TierStats> tierStats() {
    java.util.TreeMap<Long, long[]> m = new java.util.TreeMap<>();
    for (Block b : blocks) {
      long[] a = m.computeIfAbsent(b.meta().resolution(), k -> new long[4]);
      a[0]++;
      a[1] += b.meta().stats().numBytes();
      a[2] += b.meta().stats().numSeries();
      a[3] += b.meta().stats().numSamples();
    }
    List<TierStats> out = new ArrayList<>();
    m.forEach((res, a) -> out.add(new TierStats(res, (int) a[0], a[1], a[2], a[3])));
    return out;
  }

  /** Total bytes of the open blocks (meta.json stats). */
  public long sizeBytes() {
    long n = 0;
    for (Block b : blocks) {
      n += b.meta().stats().numBytes();
    }
    return n;
  }

  /**
   * A querier over the blocks of every tier overlapping [mint, maxt]; it pins them until closed
   * and picks per select the tier that answers (see {@link TieredQuerier}: raw unless hints allow
   * rollups, rollups where raw data is gone). Combine with the head's querier through
   * {@link MergingQuerier#of}.
   */
  public Querier querier(long mint, long maxt) {
    while (true) {
      List<Block> snapshot = blocks;
      List<Block> acquired = new ArrayList<>();
      boolean raced = false;
      for (Block b : snapshot) {
        if (b.meta().overlaps(mint, maxt)) {
          if (!b.acquire()) {
            raced = true; // replaced and released since the snapshot: its successor is listed now
            break;
          }
          acquired.add(b);
        }
      }
      if (!raced) {
        return acquired.isEmpty() ? EmptyQuerier.INSTANCE : new TieredQuerier(acquired, mint, maxt);
      }
      for (Block b : acquired) {
        b.release();
      }
    }
  }

  /** A querier over the blocks of one resolution (0 = raw) overlapping [mint, maxt]. */
  public Querier querier(long mint, long maxt, long resolution) {
    List<Querier> parts = new ArrayList<>();
    for (Block b : blocks) {
      if (b.meta().resolution() == resolution && b.meta().overlaps(mint, maxt) && b.acquire()) {
        parts.add(new BlockQuerier(b, mint, maxt));
      }
    }
    return parts.isEmpty() ? EmptyQuerier.INSTANCE : MergingQuerier.of(parts);
  }

  /**
   * Persists what {@code source} (e.g. the head's querier) holds in [mint, maxt] as a new level-1
   * block: every series with a metric name, in label order, samples outside the range dropped.
   * The block is durable (fsynced, renamed) and added before this returns; empty when the source
   * had no samples in the range (no block is written then). The caller closes {@code source}.
   */
  public java.util.Optional<Block> writeFrom(Querier source, long mint, long maxt, java.time.Clock clock)
      throws IOException {
    requireNonNull(source, "source");
    requireNonNull(clock, "clock");
    BlockMeta meta;
    try (BlockWriter w = BlockWriter.builder(dir, mint, maxt).clock(clock).build()) {
      for (syslens.storage.Series s : source.select(List.of(syslens.storage.Matcher.regex(
          syslens.storage.Labels.METRIC_NAME, ".+")))) {
        w.addSeries(s.labels(), new RangeIterator(s.iterator(), mint, maxt));
      }
      meta = w.commit();
    }
    if (meta.stats().numSamples() == 0) {
      deleteRecursively(dir.resolve(meta.id()));
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(add(dir.resolve(meta.id())));
  }

  /** Drops samples outside [mint, maxt] (a source may return whole chunks). */
  private record RangeIterator(syslens.storage.SampleIterator it, long mint, long maxt)
      implements syslens.storage.SampleIterator {
    @Override
    public boolean next() {
      while (it.next()) {
        if (it.timestamp() > maxt) {
          return false;
        }
        if (it.timestamp() >= mint) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean seek(long t) {
      return it.seek(Math.max(t, mint)) && it.timestamp() <= maxt;
    }

    @Override
    public long timestamp() {
      return it.timestamp();
    }

    @Override
    public double value() {
      return it.value();
    }
  }

  /** Opens the block written at {@code blockDir} (e.g. a head cut) and adds it. */
  public Block add(Path blockDir) throws IOException {
    Block b = Block.open(blockDir);
    replace(List.of(), List.of(b));
    return b;
  }

  /**
   * Swaps blocks: adds {@code added}, removes {@code removed} and deletes their directories once
   * their last readers close.
   */
  public void replace(Collection<Block> removed, Collection<Block> added) {
    synchronized (writeLock) {
      List<Block> next = new ArrayList<>(blocks);
      next.removeAll(removed);
      next.addAll(added);
      next.sort(Comparator.comparingLong((Block b) -> b.meta().minTime()).thenComparing(b -> b.meta().id()));
      blocks = List.copyOf(next);
    }
    for (Block b : removed) {
      b.closeAndDelete();
    }
  }

  @Override
  public void close() {
    synchronized (writeLock) {
      for (Block b : blocks) {
        b.close();
      }
      blocks = List.of();
    }
  }

  /** Deletes a file tree; a missing path is not an error. */
  public static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        try {
          Files.delete(file);
        } catch (NoSuchFileException ignored) {
          // already gone
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
