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
  private static final ObjectMapper COMPACT = new ObjectMapper();

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


  /** The field holding the CRC32C (hex) of the rest of the document, re-serialized compactly. */
  static final String CRC_FIELD = "crc32c";

  void write(Path file) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode node = JSON.valueToTree(this);
    node.put(CRC_FIELD, crc(node));
    Files.write(file, JSON.writeValueAsBytes(node));
  }

  private static String crc(com.fasterxml.jackson.databind.JsonNode node) throws IOException {
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(COMPACT.writeValueAsBytes(node));
    return String.format("%08x", c.getValue());
  }

  static BlockMeta read(Path file) {
    BlockMeta m;
    try {
      com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(Files.readAllBytes(file));
      if (!(tree instanceof com.fasterxml.jackson.databind.node.ObjectNode node)) {
        throw new CorruptBlockException(file, "not a JSON object (expected: a block's meta.json)");
      }
      com.fasterxml.jackson.databind.JsonNode want = node.remove(CRC_FIELD);
      if (want == null || !want.isTextual()) {
        throw new CorruptBlockException(file, CRC_FIELD + " missing (expected: the checksum field)");
      }
      String got = crc(node);
      if (!got.equals(want.asText())) {
        throw new CorruptBlockException(file, "CRC32C " + got + " (expected: " + want.asText() + ")");
      }
      m = JSON.treeToValue(node, BlockMeta.class);
    } catch (CorruptBlockException e) {
      throw e;
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
