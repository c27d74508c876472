package syslens.server.admin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The list of a backup's files with their sizes and SHA-256 sums ({@code MANIFEST}, one line per
 * file: {@code sha256 size relative/path}), so a partial or damaged backup is refused by name.
 */
public final class Manifest {
  public static final String FILE = "MANIFEST";

  private Manifest() {}

  /** One file of a backup. */
  public record Entry(String sha256, long size, String path) {}

  /** Writes the manifest of every regular file under {@code dir}; returns its entries. */
  public static List<Entry> write(Path dir) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all.sorted()::iterator) {
        if (Files.isRegularFile(p) && !p.getFileName().toString().equals(FILE)) {
          entries.add(new Entry(sha256(p), Files.size(p), dir.relativize(p).toString()));
        }
      }
    }
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries) {
      sb.append(e.sha256()).append(' ').append(e.size()).append(' ').append(e.path()).append('\n');
    }
    Files.writeString(dir.resolve(FILE), sb, StandardCharsets.UTF_8);
    return entries;
  }

  /** Reads the manifest; throws naming the problem when it is missing or malformed. */
  public static List<Entry> read(Path dir) throws IOException {
    Path m = dir.resolve(FILE);
    if (!Files.isRegularFile(m)) {
      throw new IOException("backup " + dir + ": no " + FILE + " (expected: a directory written by"
          + " 'syslens admin backup')");
    }
    List<Entry> out = new ArrayList<>();
    int line = 0;
    for (String l : Files.readAllLines(m, StandardCharsets.UTF_8)) {
      line++;
      String[] f = l.split(" ", 3);
      if (f.length != 3 || f[0].length() != 64 || f[2].contains("..") || f[2].startsWith("/")) {
        throw new IOException(m + " line " + line + ": \"" + l + "\" (expected: sha256 size path)");
      }
      try {
        out.add(new Entry(f[0], Long.parseLong(f[1]), f[2]));
      } catch (NumberFormatException e) {
        throw new IOException(m + " line " + line + ": size \"" + f[1] + "\" (expected: a number)", e);
      }
    }
    return out;
  }

  /** Checks every listed file; throws naming the first one that is missing, short or damaged. */
  public static List<Entry> verify(Path dir) throws IOException {
    List<Entry> entries = read(dir);
    for (Entry e : entries) {
      Path p = dir.resolve(e.path());
      if (!Files.isRegularFile(p)) {
        throw new IOException("backup file " + p + " is missing (the backup is incomplete)");
      }
      long size = Files.size(p);
      if (size != e.size()) {
        throw new IOException("backup file " + p + ": " + size + " bytes (expected: " + e.size()
            + "; the backup is incomplete or damaged)");
      }
      if (!sha256(p).equals(e.sha256())) {
        throw new IOException("backup file " + p + ": SHA-256 does not match the manifest (damaged)");
      }
    }
    return entries;
  }

  static String sha256(Path p) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = Files.newInputStream(p)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
