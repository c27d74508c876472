package syslens.tsdb;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import syslens.tsdb.head.Checkpoint;
import syslens.tsdb.head.Head;
import syslens.tsdb.wal.Wal;

/**
 * Head checkpoints in the TSDB directory ({@code checkpoint.NNNNNNNN}, N = the WAL segment replay
 * resumes at). Two generations are kept, and WAL segments from the older one on, so a damaged
 * newest checkpoint costs nothing: the older one plus more WAL replays instead.
 */
final class Checkpoints {
  static final System.Logger LOG = System.getLogger("syslens.tsdb");
  private static final String PREFIX = "checkpoint.";
  private final Path dir;

  Checkpoints(Path dir) {
    this.dir = dir;
  }

  /** Checkpoint files, newest first. */
  List<Path> list() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> all = Files.list(dir)) {
      return all.filter(p -> isCheckpointName(p.getFileName().toString()))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
    }
  }

  /** Deletes every checkpoint but the newest (when the head they hold went into blocks). */
  void keepNewestOnly() throws IOException {
    List<Path> all = list();
    for (Path p : all.subList(Math.min(1, all.size()), all.size())) {
      Files.deleteIfExists(p);
    }
  }

  private static boolean isCheckpointName(String n) {
    return n.length() == PREFIX.length() + 8 && n.startsWith(PREFIX)
        && n.substring(PREFIX.length()).chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /**
   * The newest readable checkpoint, or null when there is none. A damaged one is reported and the
   * next older used.
   */
  Checkpoint.Loaded readNewest() throws IOException {
    for (Path p : list()) {
      try {
        return Checkpoint.read(p);
      } catch (IOException e) {
        LOG.log(Level.ERROR, "skipping damaged checkpoint: " + e.getMessage()
            + "; using an older checkpoint and more of the WAL");
      }
    }
    return null;
  }

  /** Writes a checkpoint of {@code head}, then drops what the older of the two kept ones covers. */
  int write(Head head, Wal wal) throws IOException {
    Checkpoint.Loaded state = head.checkpointState(wal::cut);
    Path file = dir.resolve(String.format("%s%08d", PREFIX, state.walSegment()));
    Checkpoint.write(file, state.walSegment(), state.series());
    List<Path> all = list();
    List<Path> older = new ArrayList<>(all.subList(Math.min(2, all.size()), all.size()));
    for (Path p : older) {
      Files.deleteIfExists(p);
    }
    if (all.size() >= 2) {
      String keep = all.get(1).getFileName().toString().substring(PREFIX.length());
      wal.deleteSegmentsBefore(Integer.parseInt(keep));
    }
    return state.series().size();
  }
}
