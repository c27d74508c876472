package syslens.tsdb.retention;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import syslens.tsdb.block.Blocks;
import syslens.tsdb.downsample.Downsampler;

/**
 * Executes {@link Retention#plan} against a block set: downsamplings first (each new block
 * durable before anything is deleted), then deletions (a deleted block's directory goes once its
 * last reader closes). Meant to run on a background thread; the engine schedules it.
 */
public final class RetentionRunner {
  private static final System.Logger LOG = System.getLogger(RetentionRunner.class.getName());

  /** What one run did and when it finished (for /metrics). */
  public record Result(int downsampled, int deleted, List<String> errors, java.time.Instant finishedAt) {}

  private final Blocks blocks;
  private final Clock clock;
  private final Retention.Settings settings;
  private final Downsampler downsampler;
  private volatile Result lastResult;

  private RetentionRunner(Blocks blocks, Clock clock, Retention.Settings settings) {
    this.blocks = blocks;
    this.clock = clock;
    this.settings = settings;
    this.downsampler = Downsampler.create(blocks, clock);
  }

  public static RetentionRunner create(Blocks blocks, Clock clock, Retention.Settings settings) {
    return new RetentionRunner(requireNonNull(blocks, "blocks"), requireNonNull(clock, "clock"),
        requireNonNull(settings, "settings"));
  }

  /**
   * Plans and executes until nothing is due (a downsampled block may itself be due for the next
   * tier). A failing downsampling is logged and reported; the block it came from is then kept.
   */
  public synchronized Result run() {
    int downsampled = 0;
    int deleted = 0;
    List<String> errors = new ArrayList<>();
    java.util.Set<String> failed = new java.util.HashSet<>();
    for (int round = 0; round < 10; round++) {
      List<Retention.Action> actions = Retention.plan(blocks.blocks(), clock, settings);
      boolean progress = false;
      for (Retention.Action a : actions) {
        String id = a.block().meta().id();
        if (failed.contains(id)) {
          continue;
        }
        if (a.kind() == Retention.Kind.DOWNSAMPLE) {
          try {
            downsampler.downsample(a.block(), a.resolution());
            downsampled++;
            progress = true;
          } catch (IOException | RuntimeException e) {
            failed.add(id);
            String msg = "downsampling block " + id + " to " + Retention.tier(a.resolution()) + ": " + e;
            errors.add(msg);
            LOG.log(System.Logger.Level.ERROR, msg, e);
          }
        } else {
          LOG.log(System.Logger.Level.INFO, "deleting block " + id + ": " + a.reason());
          blocks.replace(List.of(a.block()), List.of());
          deleted++;
          progress = true;
        }
      }
      if (!progress) {
        break;
      }
    }
    Result r = new Result(downsampled, deleted, List.copyOf(errors), clock.instant());
    lastResult = r;
    return r;
  }

  /** The last run's result, or null before the first run. */
  public Result lastResult() {
    return lastResult;
  }
}
