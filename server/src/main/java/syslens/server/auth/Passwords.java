package syslens.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** bcrypt hashing (cost 12) and random password generation. */
public final class Passwords {
  static final int COST = 12;
  /** bcrypt looks at 72 bytes at most; longer input is rejected rather than silently cut. */
  public static final int MAX_BYTES = 72;
  private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  private static final SecureRandom RANDOM = new SecureRandom();
  /** A valid hash of a random secret: verified against when a user is unknown (equal timing). */
  private static final String DUMMY_HASH = hash(random(24));

  private Passwords() {}

  public static String hash(String password) {
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    if (pw.length > MAX_BYTES) {
      throw new IllegalArgumentException("password: " + pw.length + " bytes (expected: <= " + MAX_BYTES + ")");
    }
    return BCrypt.withDefaults().hashToString(COST, password.toCharArray());
  }

  /** Verifies a password; with a null hash it burns the same time and returns false. */
  public static boolean verify(String password, String hash) {
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    boolean ok = pw.length <= MAX_BYTES
        && BCrypt.verifyer().verify(password.toCharArray(), hash == null ? DUMMY_HASH : hash).verified;
    return ok && hash != null;
  }

  public static String random(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }
}
