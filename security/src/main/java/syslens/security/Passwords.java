package syslens.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * bcrypt hashing and random password generation. The cost is 12, or the JVM system property
 * {@code syslens.bcrypt.cost} (4-31; each step doubles the time). The project's test suites set 4,
 * since a cost-12 hash takes a quarter of a second; an installation has no reason to go lower than
 * 12. Hashes of any cost verify, so changing it never locks anyone out.
 */
public final class Passwords {
  static final int DEFAULT_COST = 12;
  static final String COST_PROPERTY = "syslens.bcrypt.cost";
  static final int COST = cost(System.getProperty(COST_PROPERTY));
  /** bcrypt looks at 72 bytes at most; longer input is rejected rather than silently cut. */
  public static final int MAX_BYTES = 72;
  private static final String LOWER = "abcdefghijkmnopqrstuvwxyz";
  private static final String UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  private static final String DIGITS = "23456789";
  private static final String ALPHABET = UPPER + LOWER + DIGITS;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Passwords() {}

  /** The bcrypt cost given by {@code value} (null: the default, 12). */
  static int cost(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_COST;
    }
    try {
      int c = Integer.parseInt(value.strip());
      if (c >= 4 && c <= 31) {
        return c;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(COST_PROPERTY + ": '" + value + "' (expected: a whole number from 4 to 31)");
  }

  public static String hash(String password) {
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    if (pw.length > MAX_BYTES) {
      throw new IllegalArgumentException("password: " + pw.length + " bytes (expected: <= " + MAX_BYTES + ")");
    }
    return BCrypt.withDefaults().hashToString(COST, password.toCharArray());
  }

  /** True when {@code password} matches the bcrypt {@code hash}. */
  public static boolean verify(String password, String hash) {
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    return hash != null && pw.length <= MAX_BYTES
        && BCrypt.verifyer().verify(password.toCharArray(), hash).verified;
  }

  /** A random password of upper, lower case letters and digits (each class at least once). */
  public static String random(int length) {
    if (length < 3) {
      throw new IllegalArgumentException("length: " + length + " (expected: >= 3)");
    }
    char[] c = new char[length];
    c[0] = UPPER.charAt(RANDOM.nextInt(UPPER.length()));
    c[1] = LOWER.charAt(RANDOM.nextInt(LOWER.length()));
    c[2] = DIGITS.charAt(RANDOM.nextInt(DIGITS.length()));
    for (int i = 3; i < length; i++) {
      c[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
    }
    for (int i = length - 1; i > 0; i--) {
      int j = RANDOM.nextInt(i + 1);
      char t = c[i];
      c[i] = c[j];
      c[j] = t;
    }
    return new String(c);
  }

  /** 32 random bytes, base64url without padding: for tokens and secrets. */
  static String randomToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Hex SHA-256 of a high-entropy secret (tokens, node secrets); not for passwords. */
  static String sha256(String secret) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Constant-time comparison of two hex digests. */
  static boolean sameDigest(String a, String b) {
    return a != null && b != null && java.security.MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }
}
