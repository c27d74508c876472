package syslens.security;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.math.BigInteger;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A restart's shortcut past Flyway: whether a module's schema history table already ends at the
 * newest migration that module ships, every migration successful. Then there is nothing to
 * migrate, and the restart skips Flyway altogether (its class loading, classpath scan and checksum
 * validation cost each module 0.1-0.3 s of start-up CPU). Any doubt (no table yet, a failed or
 * pending migration, a newer or older version, migration files that cannot be listed, an SQL
 * error) answers {@code false}, and Flyway runs and decides as it always did: migrates, or refuses
 * a database it does not understand.
 *
 * <p>Used by every module that keeps tables in the metadata database (security, alerting, the
 * server's own), each with its own history table and migration directory.
 */
public final class SchemaHistory {
  /** Flyway's versioned migration file name: {@code V<version>__<description>.sql}. */
  private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__[^/]*\\.sql");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

  private SchemaHistory() {}

  /**
   * True when Flyway history table {@code table} in {@code db} records, as its last applied
   * migration, the newest {@code V<version>__*.sql} under classpath directory {@code location}
   * (as {@code owner}'s class loader sees it), and no failed one.
   */
  public static boolean isCurrent(DataSource db, String table, Class<?> owner, String location) {
    requireNonNull(db, "db");
    requireNonNull(table, "table");
    requireNonNull(owner, "owner");
    requireNonNull(location, "location");
    if (!IDENTIFIER.matcher(table).matches()) {
      throw new IllegalArgumentException("table: " + table + " (expected: a lower-case SQL identifier)");
    }
    List<BigInteger> newest = newestMigration(owner.getClassLoader(), location);
    if (newest == null) {
      return false;
    }
    // Quoted lower-case names: how Flyway creates the table and its columns on H2 and PostgreSQL.
    String sql = "SELECT \"version\", \"success\" FROM \"" + table + "\" ORDER BY \"installed_rank\" DESC";
    try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next() || !rs.getBoolean(2) || rs.getString(1) == null || !newest.equals(parse(rs.getString(1)))) {
        return false;
      }
      while (rs.next()) {
        if (!rs.getBoolean(2)) {
          return false;
        }
      }
      return true;
    } catch (SQLException | NumberFormatException e) {
      return false; // no history table yet (a first start), or a history Flyway should look at
    }
  }

  /**
   * The newest migration version under {@code location} (segments, as Flyway compares them), or
   * null when there is none or the directory cannot be listed (Flyway then decides).
   */
  static List<BigInteger> newestMigration(ClassLoader loader, String location) {
    List<BigInteger> newest = null;
    try {
      Enumeration<URL> dirs = loader.getResources(location);
      while (dirs.hasMoreElements()) {
        for (String name : fileNames(dirs.nextElement(), location)) {
          Matcher m = VERSIONED.matcher(name);
          if (m.matches()) {
            List<BigInteger> v = parse(m.group(1));
            if (newest == null || compare(v, newest) > 0) {
              newest = v;
            }
          }
        }
      }
      return newest;
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return null;
    }
  }

  /** Names of the files directly in {@code dir} (a directory or a jar entry); throws for other URLs. */
  private static List<String> fileNames(URL dir, String location) throws IOException, URISyntaxException {
    List<String> names = new ArrayList<>();
    switch (dir.getProtocol()) {
      case "file" -> {
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
          files.forEach(p -> names.add(p.getFileName().toString()));
        }
      }
      case "jar" -> {
        JarURLConnection conn = (JarURLConnection) dir.openConnection();
        conn.setUseCaches(false); // a JarFile of our own, closed here
        try (JarFile jar = conn.getJarFile()) {
          String prefix = location.endsWith("/") ? location : location + "/";
          Enumeration<JarEntry> entries = jar.entries();
          while (entries.hasMoreElements()) {
            String n = entries.nextElement().getName();
            if (n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0) {
              names.add(n.substring(prefix.length()));
            }
          }
        }
      }
      default -> throw new IOException("cannot list " + dir);
    }
    return names;
  }

  private static List<BigInteger> parse(String version) {
    List<BigInteger> parts = new ArrayList<>();
    for (String p : version.split("[._]")) {
      parts.add(new BigInteger(p));
    }
    while (parts.size() > 1 && parts.get(parts.size() - 1).signum() == 0) {
      parts.remove(parts.size() - 1); // Flyway: 1.0 == 1
    }
    return parts;
  }

  private static int compare(List<BigInteger> a, List<BigInteger> b) {
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      BigInteger x = i < a.size() ? a.get(i) : BigInteger.ZERO;
      BigInteger y = i < b.size() ? b.get(i) : BigInteger.ZERO;
      int c = x.compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
