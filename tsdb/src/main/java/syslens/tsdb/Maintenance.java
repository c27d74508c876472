package syslens.tsdb;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import syslens.storage.Querier;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockMeta;
import syslens.tsdb.block.Blocks;
import syslens.tsdb.compact.Compactor;
import syslens.tsdb.head.Head;
import syslens.tsdb.retention.Retention;
import syslens.tsdb.retention.RetentionRunner;

/**
 * The TSDB's background work, run on one thread (compaction and retention must not race): cut
 * complete head ranges into blocks and truncate the head, compact blocks, apply retention tiers.
 */
final class Maintenance {
  static final System.Logger LOG = System.getLogger("syslens.tsdb");
  private final Head head;
  private final Blocks blocks;
  private final long blockRange;
  private final Clock clock;
  private final Compactor compactor;
  private final RetentionRunner retention;
  private volatile long lastCutMillis;
  private volatile String lastError;
  private volatile int headCuts;

  Maintenance(Head head, Blocks blocks, long blockRange, Retention.Settings retention, Clock clock) {
    this.head = head;
    this.blocks = blocks;
    this.blockRange = blockRange;
    this.clock = clock;
    this.compactor = Compactor.create(blocks, clock);
    this.retention = RetentionRunner.create(blocks, clock, retention);
  }

  /** The lowest time the head may still take: after the newest raw block. */
  static long minValidTime(Blocks blocks) {
    long max = Long.MIN_VALUE;
    for (Block b : blocks.blocks()) {
      if (b.meta().resolution() == 0) {
        max = Math.max(max, b.meta().maxTime());
      }
    }
    return max == Long.MIN_VALUE ? Long.MIN_VALUE : max + 1;
  }

  /**
   * Cuts every complete block range the head holds into a block once the head reaches half a
   * range beyond it (room for late samples), then truncates the head. Returns the blocks written.
   */
  int cutHead() throws IOException {
    return cutHead(false);
  }

  /**
   * As {@link #cutHead()}; with {@code everything}, the head's last, incomplete range is cut too
   * (no room left for late samples: the head then refuses anything older than what it wrote).
   */
  int cutHead(boolean everything) throws IOException {
    int written = 0;
    while (true) {
      long min = head.minTime();
      long max = head.maxTime();
      if (min == Long.MAX_VALUE || max == Long.MIN_VALUE) {
        return written;
      }
      long start = Math.floorDiv(min, blockRange) * blockRange;
      long end = start + blockRange; // exclusive
      if (!everything && max < end + blockRange / 2) {
        return written;
      }
      if (everything) {
        end = Math.min(end, max + 1); // the block ends at the head's newest sample
      }
      long t0 = System.nanoTime();
      head.sealBefore(end);
      Optional<Block> b;
      try (Querier q = head.querier(start, end - 1)) {
        b = blocks.writeFrom(q, start, end - 1, clock);
      }
      int gc = head.truncateBefore(end);
      written += b.isPresent() ? 1 : 0;
      headCuts++;
      lastCutMillis = (System.nanoTime() - t0) / 1_000_000;
      LOG.log(Level.INFO, String.format("head range [%d, %d) cut into %s in %d ms; %d series without"
          + " newer samples removed from memory", start, end,
          b.map(x -> "block " + x.meta().id() + " (" + x.meta().stats().numSamples() + " samples)")
              .orElse("nothing (no samples)"), lastCutMillis, gc));
    }
  }

  /** One background round: cut the head, compact, apply retention; errors are logged, counted. */
  void run() {
    try {
      cutHead();
      List<BlockMeta> compacted = compactor.compactAll();
      if (!compacted.isEmpty()) {
        LOG.log(Level.INFO, "compacted into " + compacted.size() + " block(s)");
      }
      RetentionRunner.Result r = retention.run();
      if (!r.errors().isEmpty()) {
        lastError = String.join("; ", r.errors());
        LOG.log(Level.ERROR, "retention: " + lastError);
      } else {
        lastError = null;
      }
    } catch (IOException | RuntimeException e) {
      lastError = e.getMessage();
      LOG.log(Level.ERROR, "TSDB maintenance failed (will retry): " + e.getMessage(), e);
    }
  }

  int headCuts() {
    return headCuts;
  }

  String lastError() {
    return lastError;
  }

  RetentionRunner.Result lastRetention() {
    return retention.lastResult();
  }
}
