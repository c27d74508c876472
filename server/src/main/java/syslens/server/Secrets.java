package syslens.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import syslens.server.tls.TlsMaterial;

/** Small secrets kept under {@code <data>/secrets/}, owner-readable only, created on first use. */
final class Secrets {
  private final Path dir;

  Secrets(Path dir) throws IOException {
    this.dir = dir;
    syslens.security.FileModes.createPrivateDir(dir);
  }

  Path path(String name) {
    return dir.resolve(name);
  }

  /** The named secret, created from 32 random bytes (base64url) when absent. */
  String getOrCreate(String name) throws IOException {
    Path p = dir.resolve(name);
    if (Files.exists(p)) {
      String s = Files.readString(p, StandardCharsets.UTF_8).trim();
      if (!s.isEmpty()) {
        return s;
      }
    }
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    String s = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    TlsMaterial.writeSecret(p, s + "\n");
    return s;
  }

  void put(String name, String value) throws IOException {
    TlsMaterial.writeSecret(dir.resolve(name), value + "\n");
  }
}
