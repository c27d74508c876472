package syslens.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code syslens admin backup|restore}: online backup of a running server, restore into a stopped one. */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = "Administration: backup and restore of a data directory, compaction of a stopped"
        + " server's data, audit log checks.",
    subcommands = {AdminCommand.Backup.class, AdminCommand.Restore.class, CompactCommand.class,
        syslens.server.AuditCommand.class})
public final class AdminCommand implements Runnable {
  static final ObjectMapper JSON = new ObjectMapper();
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  @Command(name = "backup", mixinStandardHelpOptions = true,
      description = "Take a consistent online snapshot of a running server (on this host) and copy"
          + " it to DIR: storage, metadata, secrets and TLS material, with a checksum manifest.")
  static final class Backup implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "Where to write the backup (must not exist or be empty).")
    Path dir;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
        description = "The server (plain HTTP works from this host). Default: ${DEFAULT-VALUE}.")
    String url;

    @Option(names = "--user", paramLabel = "NAME", defaultValue = "admin",
        description = "An administrator. Default: ${DEFAULT-VALUE}.")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE",
        description = "File holding the password (default: $SYSLENS_ADMIN_PASSWORD).")
    Path passwordFile;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      requireEmpty(dir);
      String password = passwordFile != null
          ? Files.readString(passwordFile, StandardCharsets.UTF_8).trim()
          : System.getenv("SYSLENS_ADMIN_PASSWORD");
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException("no password (expected: --password-file FILE or"
            + " SYSLENS_ADMIN_PASSWORD in the environment)");
      }
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String token = login(http, password);
      out.println("backup: asking " + url + " for a snapshot...");
      out.flush();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/admin/snapshot"))
          .timeout(Duration.ofMinutes(30)).header("Authorization", "Bearer " + token)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("snapshot: HTTP " + r.statusCode() + " " + r.body());
      }
      JsonNode data = JSON.readTree(r.body()).path("data");
      Path snap = Path.of(data.path("path").asText());
      if (!Files.isDirectory(snap)) {
        throw new IOException("snapshot " + snap + " is not readable here (expected: run the"
            + " backup on the server's host)");
      }
      List<Manifest.Entry> entries = Manifest.read(snap);
      long total = entries.stream().mapToLong(Manifest.Entry::size).sum();
      long done = 0;
      int n = 0;
      long lastReport = 0;
      Files.createDirectories(dir);
      for (Manifest.Entry e : entries) {
        Path dst = dir.resolve(e.path());
        Files.createDirectories(dst.getParent());
        Files.copy(snap.resolve(e.path()), dst);
        done += e.size();
        n++;
        if (System.nanoTime() - lastReport > 1_000_000_000L || n == entries.size()) {
          out.printf("backup: %d/%d files, %.1f/%.1f MiB%n", n, entries.size(), done / 1048576.0, total / 1048576.0);
          out.flush();
          lastReport = System.nanoTime();
        }
      }
      Files.copy(snap.resolve(Manifest.FILE), dir.resolve(Manifest.FILE));
      Manifest.verify(dir);
      deleteTree(snap);
      out.printf("backup: done: %s (%d files, %.1f MiB, snapshot %s; verified)%n", dir, entries.size(),
          total / 1048576.0, data.path("name").asText());
      return 0;
    }

    private String login(HttpClient http, String password) throws Exception {
      String body = JSON.createObjectNode().put("username", user).put("password", password).toString();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/auth/login"))
          .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("login as " + user + " at " + url + ": HTTP " + r.statusCode() + " " + r.body());
      }
      return JSON.readTree(r.body()).path("token").asText();
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Restore a backup written by 'syslens admin backup' into the data directory of a"
          + " stopped server, after checking every file against the backup's manifest.")
  static final class Restore implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "The backup directory.")
    Path dir;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "./data",
        description = "The server's data directory. Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--force", description = "Restore even if the data directory holds data: it is"
        + " moved aside to DATA.pre-restore-<time> first.")
    boolean force;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      out.println("restore: checking " + dir + " against its manifest...");
      out.flush();
      List<Manifest.Entry> entries = Manifest.verify(dir);
      data = data.toAbsolutePath().normalize();
      if (Files.isDirectory(data) && hasData(data)) {
        if (!force) {
          throw new IllegalArgumentException("data directory " + data + " already holds data"
              + " (expected: an empty or new directory, or --force to move it aside)");
        }
        try (DataDirLock lock = DataDirLock.acquire(data)) {
          // only checks that no server runs there
        }
        Path aside = data.resolveSibling(data.getFileName() + ".pre-restore-"
            + Instant.now().toString().replace(':', '-'));
        Files.move(data, aside);
        out.println("restore: moved the old data directory to " + aside);
      }
      Files.createDirectories(data);
      try (DataDirLock lock = DataDirLock.acquire(data)) {
        long done = 0;
        int n = 0;
        for (Manifest.Entry e : entries) {
          Path src = dir.resolve(e.path());
          if (e.path().equals("meta/syslens.zip")) {
            Files.createDirectories(data.resolve("meta"));
            org.h2.tools.Restore.execute(src.toString(), data.resolve("meta").toString(), "syslens");
          } else {
            Path dst = data.resolve(e.path());
            Files.createDirectories(dst.getParent());
            Files.copy(src, dst);
          }
          done += e.size();
          n++;
          out.printf("restore: %d/%d files, %.1f MiB%n", n, entries.size(), done / 1048576.0);
          out.flush();
        }
        Files.createDirectories(data.resolve("tsdb").resolve("wal"));
      }
      out.println("restore: done: " + data + " (start the server on it)");
      return 0;
    }

    private static boolean hasData(Path data) throws IOException {
      try (Stream<Path> s = Files.list(data)) {
        return s.anyMatch(p -> !p.getFileName().toString().equals(".lock"));
      }
    }
  }

  static void requireEmpty(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("backup directory " + dir + " is not empty (expected: a new"
              + " or empty directory)");
        }
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
