package syslens.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TotpTest {
  private static final byte[] SHA1_KEY = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SHA256_KEY = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SHA512_KEY =
      "1234567890123456789012345678901234567890123456789012345678901234".getBytes(StandardCharsets.US_ASCII);

  /** RFC 6238 Appendix B. */
  @Test
  void code_matchesRfc6238TestVectors() {
    long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
    String[] sha1 = {"94287082", "07081804", "14050471", "89005924", "69279037", "65353130"};
    String[] sha256 = {"46119246", "68084774", "67062674", "91819424", "90698825", "77737706"};
    String[] sha512 = {"90693936", "25091201", "99943326", "93441116", "38618901", "47863826"};
    for (int i = 0; i < times.length; i++) {
      assertThat(Totp.code(SHA1_KEY, times[i], 8, "HmacSHA1")).as("SHA1 at " + times[i]).isEqualTo(sha1[i]);
      assertThat(Totp.code(SHA256_KEY, times[i], 8, "HmacSHA256")).as("SHA256 at " + times[i]).isEqualTo(sha256[i]);
      assertThat(Totp.code(SHA512_KEY, times[i], 8, "HmacSHA512")).as("SHA512 at " + times[i]).isEqualTo(sha512[i]);
    }
  }

  @Test
  void verify_acceptsOneStepOfSkewOnly() {
    String secret = Totp.base32(SHA1_KEY);
    long t = 1234567890L;
    String code = Totp.code(SHA1_KEY, t, 6, "HmacSHA1");
    assertThat(Totp.verify(secret, code, t)).isTrue();
    assertThat(Totp.verify(secret, code, t + 30)).isTrue();
    assertThat(Totp.verify(secret, code, t - 30)).isTrue();
    assertThat(Totp.verify(secret, code, t + 90)).isFalse();
    assertThat(Totp.verify(secret, "12345", t)).isFalse();
    assertThat(Totp.verify(secret, null, t)).isFalse();
  }

  @Test
  void base32_roundTrips() {
    byte[] b = new byte[20];
    new java.util.Random(7).nextBytes(b);
    assertThat(Totp.fromBase32(Totp.base32(b))).isEqualTo(b);
    assertThat(Totp.base32("12345678901234567890".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  }
}
