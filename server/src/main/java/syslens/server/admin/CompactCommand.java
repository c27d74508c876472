package syslens.server.admin;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import syslens.tsdb.Tsdb;
import syslens.tsdb.block.Blocks;

/**
 * {@code syslens admin compact}: writes a stopped server's head (WAL and checkpoint) into blocks
 * and compacts them, as VictoriaMetrics's force_flush and force_merge do, so the data directory
 * holds only compressed blocks (before archiving it, or to measure its size).
 */
@Command(name = "compact", mixinStandardHelpOptions = true,
    description = "Write everything a stopped server holds in its head and WAL into compressed"
        + " blocks and compact them. Afterwards the server refuses samples older than the newest"
        + " one written (agents send newer ones anyway).")
final class CompactCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "./data",
      description = "The server's data directory. Default: ${DEFAULT-VALUE}.")
  Path data;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path tsdbDir = data.toAbsolutePath().normalize().resolve("tsdb");
    if (!Files.isDirectory(tsdbDir)) {
      throw new IllegalArgumentException("data directory " + data + " has no tsdb/ (expected: a"
          + " SysLens server's data directory)");
    }
    try (DataDirLock lock = DataDirLock.acquire(data.toAbsolutePath().normalize())) {
      long before = bytes(tsdbDir);
      out.printf("compact: opening %s (%.1f MiB; replaying the WAL may take a while)...%n", tsdbDir,
          before / 1048576.0);
      out.flush();
      try (Tsdb db = Tsdb.builder(tsdbDir).build()) {
        Tsdb.Stats s = db.stats();
        out.printf("compact: head holds %,d series; writing it into blocks...%n", s.numSeries());
        out.flush();
        int cut = db.flushHead();
        out.printf("compact: %d block(s) written from the head%n", cut);
        for (Blocks.TierStats t : db.blockStats()) {
          out.printf("compact: tier %s: %d block(s), %,d series, %,d samples, %.1f MiB, %.3f"
              + " bytes/sample%n", t.resolution() == 0 ? "raw" : (t.resolution() / 60_000) + "m",
              t.blocks(), t.series(), t.samples(), t.bytes() / 1048576.0,
              t.samples() == 0 ? 0.0 : (double) t.bytes() / t.samples());
        }
      }
      long after = bytes(tsdbDir);
      out.printf("compact: done: %.1f MiB -> %.1f MiB under %s%n", before / 1048576.0,
          after / 1048576.0, tsdbDir);
    }
    return 0;
  }

  static long bytes(Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
