package syslens.server.admin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import syslens.tsdb.Tsdb;

/**
 * Consistent online snapshots of a data directory under {@code <data>/snapshots/<time>/}: the
 * TSDB (a fresh checkpoint, hard-linked), the metadata database (H2's online BACKUP), secrets and
 * TLS material, and a {@link Manifest}. Ingest goes on while it runs.
 */
public final class Snapshots {
  private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
      .withZone(ZoneOffset.UTC);
  private final Path dataDir;
  private final Tsdb tsdb;
  private final DataSource meta;
  private final Clock clock;

  /**
   * {@code tsdb}: the embedded TSDB, or null when time series live in a remote store; {@code meta}:
   * the embedded H2 database, or null when metadata lives in PostgreSQL.
   */
  public Snapshots(Path dataDir, Tsdb tsdb, DataSource meta, Clock clock) {
    this.dataDir = requireNonNull(dataDir, "dataDir");
    this.tsdb = tsdb; // null: time series live in a remote store (backed up with its own tools)
    this.meta = meta; // null: metadata lives in PostgreSQL (backed up with pg_dump)
    this.clock = requireNonNull(clock, "clock");
  }

  /** A snapshot taken now. */
  public record Taken(String name, Path dir, int files, long bytes) {}

  public synchronized Taken take() throws IOException {
    String name = NAME.format(clock.instant());
    Path dir = dataDir.resolve("snapshots").resolve(name);
    Files.createDirectories(dir.getParent());
    Files.createDirectory(dir);
    if (tsdb != null) {
      tsdb.snapshot(dir.resolve("tsdb"));
    } else {
      Files.writeString(Files.createDirectories(dir.resolve("remote-store")).resolve("README"), "Time series live in"
          + " the remote store (--storage prometheus-remote): back it up with its own tools (e.g. vmbackup)"
          + " at the same time; this backup holds the metadata, secrets and TLS.\n");
    }
    Path metaDir = Files.createDirectories(dir.resolve("meta"));
    if (meta == null) {
      Files.writeString(metaDir.resolve("README"), "The metadata database is PostgreSQL: back it up"
          + " with pg_dump at the same time; this backup holds the time series, secrets and TLS.\n");
    } else {
      try (Connection c = meta.getConnection(); Statement st = c.createStatement()) {
        st.execute("BACKUP TO '" + metaDir.resolve("syslens.zip").toString().replace("'", "''") + "'");
      } catch (SQLException e) {
        throw new IOException("metadata backup into " + metaDir + " failed: " + e.getMessage(), e);
      }
    }
    for (String sub : List.of("secrets", "tls")) {
      Path from = dataDir.resolve(sub);
      if (Files.isDirectory(from)) {
        copyTree(from, dir.resolve(sub));
      }
    }
    List<Manifest.Entry> entries = Manifest.write(dir);
    return new Taken(name, dir, entries.size(), entries.stream().mapToLong(Manifest.Entry::size).sum());
  }

  /** Copies regular files under {@code from} into {@code to}, keeping relative paths. */
  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path dst = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dst);
        } else if (Files.isRegularFile(p)) {
          Files.copy(p, dst, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
