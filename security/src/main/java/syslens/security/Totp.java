package syslens.security;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): 30 s steps, HMAC-SHA1 and 6
 * digits by default (what authenticator apps use), one step of clock skew accepted either way.
 */
final class Totp {
  static final long STEP_SECONDS = 30;
  static final int DIGITS = 6;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private Totp() {}

  /** A new 160-bit secret in base32 (what otpauth:// URIs carry). */
  static String newSecret() {
    byte[] b = new byte[20];
    RANDOM.nextBytes(b);
    return base32(b);
  }

  /** The code for time {@code epochSeconds}. */
  static String code(byte[] key, long epochSeconds, int digits, String hmac) {
    long counter = Math.floorDiv(epochSeconds, STEP_SECONDS);
    try {
      Mac mac = Mac.getInstance(hmac);
      mac.init(new SecretKeySpec(key, "RAW"));
      byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(counter).array());
      int off = h[h.length - 1] & 0x0f;
      int bin = ((h[off] & 0x7f) << 24) | ((h[off + 1] & 0xff) << 16) | ((h[off + 2] & 0xff) << 8) | (h[off + 3] & 0xff);
      int mod = 1;
      for (int i = 0; i < digits; i++) {
        mod *= 10;
      }
      String s = Integer.toString(bin % mod);
      return "0".repeat(digits - s.length()) + s;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(hmac + " unavailable", e);
    }
  }

  /** True when {@code code} matches the base32 secret at {@code epochSeconds} +- one step. */
  static boolean verify(String base32Secret, String code, long epochSeconds) {
    if (code == null || !code.matches("\\d{" + DIGITS + "}")) {
      return false;
    }
    byte[] key = fromBase32(base32Secret);
    boolean ok = false;
    for (int d = -1; d <= 1; d++) {
      String expected = code(key, epochSeconds + d * STEP_SECONDS, DIGITS, "HmacSHA1");
      ok |= java.security.MessageDigest.isEqual(expected.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          code.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    return ok;
  }

  static String otpauthUri(String issuer, String account, String secret) {
    String label = java.net.URLEncoder.encode(issuer + ":" + account, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
    return "otpauth://totp/" + label + "?secret=" + secret + "&issuer="
        + java.net.URLEncoder.encode(issuer, java.nio.charset.StandardCharsets.UTF_8) + "&digits=" + DIGITS
        + "&period=" + STEP_SECONDS;
  }

  static String base32(byte[] data) {
    StringBuilder sb = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(BASE32.charAt((buffer >>> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      sb.append(BASE32.charAt((buffer << (5 - bits)) & 31));
    }
    return sb.toString();
  }

  static byte[] fromBase32(String s) {
    ByteBuffer out = ByteBuffer.allocate(s.length() * 5 / 8 + 1);
    int buffer = 0;
    int bits = 0;
    for (char c : s.toUpperCase(java.util.Locale.ROOT).toCharArray()) {
      int v = BASE32.indexOf(c);
      if (v < 0) {
        throw new IllegalArgumentException("secret: not base32 (expected: A-Z and 2-7)");
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.put((byte) (buffer >>> (bits - 8)));
        bits -= 8;
      }
    }
    byte[] r = new byte[out.position()];
    out.flip();
    out.get(r);
    return r;
  }
}
