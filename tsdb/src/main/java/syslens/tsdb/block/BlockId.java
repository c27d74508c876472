package syslens.tsdb.block;

import java.security.SecureRandom;
import java.util.Random;

/**
 * Block directory names: ULIDs (26 Crockford base32 characters, 48-bit millisecond time then 80
 * random bits), so names sort by creation time, as Prometheus names its blocks.
 */
public final class BlockId {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final Random RANDOM = new SecureRandom();

  private BlockId() {}

  /** A new id for a block created at {@code millis}. */
  public static String next(long millis) {
    byte[] rnd = new byte[10];
    RANDOM.nextBytes(rnd);
    char[] out = new char[26];
    long t = millis;
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (t & 31)];
      t >>>= 5;
    }
    // 80 random bits as 16 base32 characters.
    long hi = 0;
    for (int i = 0; i < 5; i++) {
      hi = (hi << 8) | (rnd[i] & 0xff);
    }
    long lo = 0;
    for (int i = 5; i < 10; i++) {
      lo = (lo << 8) | (rnd[i] & 0xff);
    }
    for (int i = 17; i >= 10; i--) {
      out[i] = ALPHABET[(int) (hi & 31)];
      hi >>>= 5;
    }
    for (int i = 25; i >= 18; i--) {
      out[i] = ALPHABET[(int) (lo & 31)];
      lo >>>= 5;
    }
    return new String(out);
  }

  /** Whether {@code name} looks like a block id (so other directories are left alone). */
  public static boolean isValid(String name) {
    if (name.length() != 26) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (new String(ALPHABET).indexOf(name.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }
}
