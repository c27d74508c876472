package syslens.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generated reports on disk: {@code <id>.<format>} (the document), {@code <id>.preview.json} and
 * {@code <id>.json} (the entry), in one directory. Every file is written to a temporary name and
 * renamed into place, the entry last, so a crash leaves no half-written report listed;
 * leftovers are removed on open. Retention: at most {@code maxReports} entries and none older
 * than {@code maxAge}, the oldest removed first.
 */
final class ReportStore {
  private static final Logger log = LoggerFactory.getLogger(ReportStore.class);
  static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
  static final ObjectMapper JSON = new ObjectMapper()
      .disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  private final Path dir;
  private final Clock clock;
  private final int maxReports;
  private final Duration maxAge;

  /**
   * One stored report: {@code readers} are the users a schedule sent it to (they may read it
   * too), {@code schedule} the schedule that ran it (null when run by hand).
   */
  record Entry(String id, String owner, String kinds, String scope, String start, String end, String language,
      String format, String createdAt, long bytes, int pages, int nodes, boolean empty, List<String> readers,
      String schedule) {
    Entry {
      readers = readers == null ? List.of() : List.copyOf(readers);
    }

    boolean readableBy(String user) {
      return owner.equals(user) || readers.contains(user);
    }
  }

  /** Writes one file's bytes. */
  @FunctionalInterface
  interface Body {
    void write(OutputStream out) throws IOException;
  }

  ReportStore(Path dir, Clock clock, int maxReports, Duration maxAge) throws IOException {
    this.dir = requireNonNull(dir, "dir");
    this.clock = requireNonNull(clock, "clock");
    if (maxReports < 1) {
      throw new IllegalArgumentException("maxReports: " + maxReports + " (expected: > 0)");
    }
    this.maxReports = maxReports;
    this.maxAge = requireNonNull(maxAge, "maxAge");
    Files.createDirectories(dir);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.tmp")) {
      for (Path p : ds) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Writes {@code body} as {@code name} atomically (temp file, fsync, rename). */
  void writeFile(String name, Body body) throws IOException {
    Path tmp = dir.resolve(name + ".tmp");
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE);
        OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
      body.write(out);
      out.flush();
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Lists the entry once its files are in place, then applies retention. */
  void commit(Entry e) throws IOException {
    writeFile(e.id() + ".json", out -> JSON.writeValue(out, e));
    retain();
  }

  /** Entries, newest first. */
  List<Entry> list() {
    List<Entry> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (!ID.matcher(n.substring(0, n.length() - ".json".length())).matches()) {
          continue;
        }
        try {
          out.add(JSON.readValue(p.toFile(), Entry.class));
        } catch (IOException e) {
          log.warn("report entry {} unreadable, skipped: {}", p, e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    out.sort(Comparator.comparing(Entry::createdAt).reversed());
    return out;
  }

  Optional<Entry> get(String id) {
    if (!ID.matcher(id).matches()) {
      return Optional.empty();
    }
    Path p = dir.resolve(id + ".json");
    if (!Files.exists(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(p.toFile(), Entry.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  Path path(String name) {
    return dir.resolve(name);
  }

  Path file(Entry e) {
    return dir.resolve(e.id() + "." + e.format());
  }

  Path preview(Entry e) {
    return dir.resolve(e.id() + ".preview.json");
  }

  private void retain() throws IOException {
    List<Entry> all = list();
    Instant oldest = clock.instant().minus(maxAge);
    for (int i = 0; i < all.size(); i++) {
      Entry e = all.get(i);
      if (i >= maxReports || Instant.parse(e.createdAt()).isBefore(oldest)) {
        Files.deleteIfExists(dir.resolve(e.id() + ".json")); // unlisted first, then its files
        Files.deleteIfExists(file(e));
        Files.deleteIfExists(preview(e));
      }
    }
  }
}
