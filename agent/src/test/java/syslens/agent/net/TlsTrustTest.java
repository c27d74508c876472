package syslens.agent.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTrustTest {

  private static final String HEX =
      "3f1a9c0b7e2d4f6a8b1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a";

  @Test
  void normalizeFingerprint_colonsAndUpperCase_lowerHex() {
    String colons = String.join(":", HEX.toUpperCase().split("(?<=\\G..)"));

    assertThat(TlsTrust.normalizeFingerprint(colons)).isEqualTo(HEX);
    assertThat(TlsTrust.normalizeFingerprint("  " + HEX + "\n")).isEqualTo(HEX);
    assertThat(TlsTrust.normalizeFingerprint("sha256=" + HEX)).isEqualTo(HEX);
  }

  @Test
  void normalizeFingerprint_wrongLengthOrNonHex_rejected() {
    for (String bad : new String[] {HEX.substring(2), HEX + "00", HEX.replace('3', 'g'), ""}) {
      assertThatThrownBy(() -> TlsTrust.normalizeFingerprint(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected: SHA-256 as 64 hex digits, colons optional");
    }
  }

  @Test
  void probeTransportPlatform_leavesTheDefaultTrustStoreAsItWas() throws Exception {
    TlsTrust.probeTransportPlatform();

    assertThat(System.getProperty("javax.net.ssl.trustStore")).isNull();
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((java.security.KeyStore) null);
    var jdk = (javax.net.ssl.X509TrustManager) tmf.getTrustManagers()[0];
    assertThat(jdk.getAcceptedIssuers()).as("the JDK's CA certificates, for anyone else").hasSizeGreaterThan(10);
  }

  @Test
  void sslContext_caFileWithoutCertificate_failsNamingTheFile(@TempDir Path tmp)
      throws IOException {
    Path empty = Files.writeString(tmp.resolve("empty.pem"), "not a certificate\n");

    assertThatThrownBy(() -> TlsTrust.caFile(empty).sslContext())
        .isInstanceOf(IOException.class).hasMessageContaining(empty.toString());
  }
}
