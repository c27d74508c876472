package syslens.tsdb.block;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code meta.json} of a block (docs/format/block.md). {@code minTime}/{@code maxTime} are the
 * inclusive bounds of the block's time range (every sample t has minTime <= t <= maxTime).
 * {@code resolution} is 0 for raw samples, else the rollup interval in milliseconds.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BlockMeta(
    @JsonProperty("id") String id,
    @JsonProperty("minTime") long minTime,
    @JsonProperty("maxTime") long maxTime,
    @JsonProperty("stats") Stats stats,
    @JsonProperty("compaction") Compaction compaction,
    @JsonProperty("version") int version,
    @JsonProperty("resolution") long resolution,
    @JsonProperty("files") List<FileEntry> files) {
  public static final int VERSION = 1;
  public static final String FILE = "meta.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public BlockMeta {
    requireNonNull(id, "id");
    requireNonNull(stats, "stats");
    requireNonNull(compaction, "compaction");
    files = files == null ? List.of() : List.copyOf(files);
  }

  /** Counts of what the block holds. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Stats(
      @JsonProperty("numSeries") long numSeries,
      @JsonProperty("numChunks") long numChunks,
      @JsonProperty("numSamples") long numSamples,
      @JsonProperty("numBytes") long numBytes) {}

  /** Compaction level (1 = cut from the head or downsampled) and the level-1 blocks it holds. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Compaction(
      @JsonProperty("level") int level,
      @JsonProperty("sources") List<String> sources) {
    public Compaction {
      sources = sources == null ? List.of() : List.copyOf(sources);
    }
  }

  /** One file of the block and its size, to detect truncation. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record FileEntry(@JsonProperty("path") String path, @JsonProperty("size") long size) {}

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isRollup() {
    return resolution > 0;
  }

  public boolean overlaps(long mint, long maxt) {
    return minTime <= maxt && maxTime >= mint;
  }

  BlockMeta withFiles(List<FileEntry> f, long numBytes) {
    return new BlockMeta(id, minTime, maxTime,
        new Stats(stats.numSeries(), stats.numChunks(), stats.numSamples(), numBytes), compaction,
        version, resolution, f);
  }

  void write(Path file) throws IOException {
    Files.write(file, JSON.writeValueAsBytes(this));
  }

  static BlockMeta read(Path file) {
    BlockMeta m;
    try {
      m = JSON.readValue(Files.readAllBytes(file), BlockMeta.class);
    } catch (IOException | RuntimeException e) {
      throw new CorruptBlockException(file, "unreadable meta.json: " + e.getMessage(), e);
    }
    if (m.version() != VERSION) {
      throw new CorruptBlockException(file, "version " + m.version() + " (expected: " + VERSION + ")");
    }
    if (m.minTime() > m.maxTime()) {
      throw new CorruptBlockException(file,
          "minTime " + m.minTime() + " > maxTime " + m.maxTime() + " (expected: minTime <= maxTime)");
    }
    return m;
  }
}
