package syslens.security;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL 15 (Debian's package) on 127.0.0.1 in a temp directory, for tests. Root may
 * not run postgres, so as root it runs as {@code nobody} via runuser. Stopped by {@link #close}.
 */
public final class PostgresServer implements AutoCloseable {
  static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  private final Path dir;
  private final int port;
  private final boolean asNobody;

  private PostgresServer(Path dir, int port, boolean asNobody) {
    this.dir = dir;
    this.port = port;
    this.asNobody = asNobody;
  }

  public static boolean available() {
    return Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("pg_ctl"));
  }

  public static PostgresServer start() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("syslens-pg");
    Path data = dir.resolve("data");
    Files.createDirectory(data);
    if (root) {
      UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setOwner(dir, nobody);
      Files.setOwner(data, nobody);
    }
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    PostgresServer pg = new PostgresServer(dir, port, root);
    pg.run(60, BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "syslens", "--auth=trust",
        "--encoding=UTF8", "--no-sync");
    pg.run(60, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(),
        "-w", "-o", "-h 127.0.0.1 -p " + port + " -k " + dir + " -F", "start");
    return pg;
  }

  public DataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {"127.0.0.1"});
    ds.setPortNumbers(new int[] {port});
    ds.setDatabaseName("postgres");
    ds.setUser("syslens");
    return ds;
  }

  public int port() {
    return port;
  }

  private void run(int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asNobody) {
      full.addAll(List.of("runuser", "-u", "nobody", "--"));
    }
    full.addAll(List.of(cmd));
    Process p = new ProcessBuilder(full).redirectErrorStream(true).directory(dir.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", full) + " failed: " + out);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      run(60, BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
