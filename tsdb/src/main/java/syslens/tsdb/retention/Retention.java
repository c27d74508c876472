package syslens.tsdb.retention;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import syslens.tsdb.block.Block;
import syslens.tsdb.block.BlockMeta;

/**
 * Decides which blocks to downsample and which to delete (docs/format/block.md#tiers), given the
 * blocks, a clock and the tier settings: raw samples for 7 days, 5-minute rollups for 30 days,
 * 1-hour rollups for 2 years by default, and an optional limit on the total size that drops the
 * oldest blocks first. Pure: {@link #plan} only returns actions; {@code RetentionRunner} (or the
 * engine) executes them, downsamplings before deletions.
 *
 * <p>A block is downsampled to the next tier once its range is at least
 * {@link Settings#minDownsampleRange} (a compacted block, so rollups are not cut into many small
 * blocks) or it is about to expire, and only while the next tier would still keep it. A raw or
 * 5-minute block is deleted after its retention only once the next tier holds its data (or the
 * next tier would not keep it anyway).
 */
public final class Retention {
  public static final long FIVE_MINUTES = 300_000L;
  public static final long ONE_HOUR = 3_600_000L;

  /** Tier settings; durations must be positive, maxBytes 0 means no size limit. */
  public record Settings(Duration raw, Duration fiveMinutes, Duration oneHour, long maxBytes,
      Duration minDownsampleRange) {
    public Settings {
      requireNonNull(raw, "raw");
      requireNonNull(fiveMinutes, "fiveMinutes");
      requireNonNull(oneHour, "oneHour");
      requireNonNull(minDownsampleRange, "minDownsampleRange");
      for (Duration d : List.of(raw, fiveMinutes, oneHour)) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("retention: " + d + " (expected: > 0)");
        }
      }
      if (maxBytes < 0) {
        throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 0, 0 = no limit)");
      }
    }

    /** Raw 7 d, 5 min 30 d, 1 h 2 y (730 d), no size limit, downsample blocks of >= 24 h. */
    public static Settings defaults() {
      return new Settings(Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(730), 0,
          Duration.ofHours(24));
    }

    long retention(long resolution) {
      if (resolution == 0) {
        return raw.toMillis();
      }
      return resolution == FIVE_MINUTES ? fiveMinutes.toMillis() : oneHour.toMillis();
    }
  }

  /** What to do with one block. */
  public enum Kind { DOWNSAMPLE, DELETE }

  /** One action: downsample {@code block} to {@code resolution}, or delete it. */
  public record Action(Kind kind, Block block, long resolution, String reason) {}

  private Retention() {}

  /** The tier a block of {@code resolution} is downsampled to next: raw → 5 min → 1 h; -1 after 1 h. */
  public static long nextResolution(long resolution) {
    return resolution == 0 ? FIVE_MINUTES : resolution == FIVE_MINUTES ? ONE_HOUR : -1;
  }

  /** The actions due now, downsamplings first, then deletions (oldest first). */
  public static List<Action> plan(List<Block> blocks, Clock clock, Settings s) {
    requireNonNull(blocks, "blocks");
    requireNonNull(clock, "clock");
    requireNonNull(s, "s");
    long now = clock.millis();
    List<Action> downsample = new ArrayList<>();
    List<Action> delete = new ArrayList<>();
    Set<Block> deleted = new HashSet<>();
    for (Block b : blocks) {
      BlockMeta m = b.meta();
      long res = m.resolution();
      if (res != 0 && res != FIVE_MINUTES && res != ONE_HOUR) {
        continue; // a tier this planner does not manage
      }
      boolean expired = m.maxTime() < now - s.retention(res);
      long next = nextResolution(res);
      boolean nextKeeps = next > 0 && m.maxTime() >= now - s.retention(next);
      boolean haveNext = next > 0 && derivedExists(blocks, b, next);
      boolean longEnough = m.maxTime() - m.minTime() + 1 >= s.minDownsampleRange().toMillis();
      if (nextKeeps && !haveNext && (longEnough || expired)) {
        downsample.add(new Action(Kind.DOWNSAMPLE, b, next, expired
            ? "past the " + tier(res) + " retention; the " + tier(next) + " tier keeps it"
            : "complete block of " + Duration.ofMillis(m.maxTime() - m.minTime() + 1)));
      }
      if (expired && (haveNext || !nextKeeps)) {
        delete.add(new Action(Kind.DELETE, b, res, "older than the " + tier(res) + " retention "
            + Duration.ofMillis(s.retention(res))));
        deleted.add(b);
      }
    }
    if (s.maxBytes() > 0) {
      long total = 0;
      for (Block b : blocks) {
        if (!deleted.contains(b)) {
          total += b.meta().stats().numBytes();
        }
      }
      List<Block> oldest = new ArrayList<>(blocks);
      oldest.sort(Comparator.comparingLong((Block b) -> b.meta().minTime()).thenComparingLong(b -> b.meta().resolution()));
      for (Block b : oldest) {
        if (total <= s.maxBytes()) {
          break;
        }
        if (deleted.add(b)) {
          total -= b.meta().stats().numBytes();
          delete.add(new Action(Kind.DELETE, b, b.meta().resolution(),
              "total size over the limit of " + s.maxBytes() + " bytes"));
          downsample.removeIf(a -> a.block() == b);
        }
      }
    }
    delete.sort(Comparator.comparingLong(a -> a.block().meta().minTime()));
    List<Action> out = new ArrayList<>(downsample);
    out.addAll(delete);
    return out;
  }

  /** Whether blocks of {@code resolution} already hold everything {@code src} was made from. */
  public static boolean derivedExists(List<Block> blocks, Block src, long resolution) {
    Set<String> need = new HashSet<>(src.meta().compaction().sources());
    Set<String> have = new HashSet<>();
    for (Block b : blocks) {
      if (b.meta().resolution() == resolution) {
        have.addAll(b.meta().compaction().sources());
      }
    }
    return have.containsAll(need);
  }

  static String tier(long resolution) {
    return resolution == 0 ? "raw" : resolution == FIVE_MINUTES ? "5m" : resolution == ONE_HOUR ? "1h" : resolution + "ms";
  }
}
