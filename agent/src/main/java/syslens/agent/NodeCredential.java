package syslens.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The node's own credential (docs/adr/0003-per-node-credentials.md): the secret the server sent
 * when it enrolled this node id, kept in {@code <state dir>/node-credential} (mode 0600, directory
 * 0700) as {@code <node id> <secret>}. A credential for another node id is ignored.
 */
final class NodeCredential {
  static final String FILE = "node-credential";
  static final int MAX_BYTES = 1024;

  private NodeCredential() {}

  /** The stored secret for {@code nodeId}, or null when there is none (or it is for another id). */
  static String load(Path stateDir, String nodeId) throws IOException {
    Path f = stateDir.resolve(FILE);
    if (!Files.exists(f)) {
      return null;
    }
    if (Files.size(f) > MAX_BYTES) {
      throw new IOException(f + ": " + Files.size(f) + " bytes (expected: <= " + MAX_BYTES + ")");
    }
    String[] parts = Files.readString(f, StandardCharsets.UTF_8).strip().split("\\s+");
    return parts.length == 2 && parts[0].equals(nodeId) ? parts[1] : null;
  }

  /** Stores the secret atomically, owner-only. */
  static void store(Path stateDir, String nodeId, String secret) throws IOException {
    writeOwnerOnly(stateDir, FILE, nodeId + " " + secret + "\n");
  }

  /** Writes {@code stateDir/name} atomically, mode 0600 (the directory 0700), synced to disk. */
  static void writeOwnerOnly(Path stateDir, String name, String content) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    Files.createDirectories(stateDir);
    if (posix) {
      Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
    }
    Path tmp = stateDir.resolve(name + ".tmp");
    Files.deleteIfExists(tmp);
    if (posix) {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    try {
      Files.move(tmp, stateDir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, stateDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
