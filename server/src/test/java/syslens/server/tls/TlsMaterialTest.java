package syslens.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {
  @TempDir Path dir;

  @Test
  void selfManaged_createsOnceAndReuses() throws Exception {
    TlsMaterial a = TlsMaterial.selfManaged(dir, Clock.systemUTC());
    String serverPem = Files.readString(a.certChainFile());
    TlsMaterial b = TlsMaterial.selfManaged(dir, Clock.systemUTC());
    assertThat(b.caFingerprint()).isEqualTo(a.caFingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(Files.readString(b.certChainFile())).isEqualTo(serverPem);
    assertThat(Files.getPosixFilePermissions(a.keyFile()))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.getPosixFilePermissions(dir.resolve(TlsMaterial.CA_KEY)))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void selfManaged_serverCertSignedByCaWithLocalhostSans() throws Exception {
    TlsMaterial m = TlsMaterial.selfManaged(dir, Clock.systemUTC());
    X509Certificate ca = TlsMaterial.readCert(m.caCertFile());
    X509Certificate cert = TlsMaterial.readCert(m.certChainFile());
    cert.verify(ca.getPublicKey());
    assertThat(cert.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo("localhost"));
    assertThat(cert.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo("127.0.0.1"));
  }

  @Test
  void selfManaged_renewsServerCertNearExpiryKeepingCa() throws Exception {
    TlsMaterial a = TlsMaterial.selfManaged(dir, Clock.systemUTC());
    String before = Files.readString(a.certChainFile());
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(800)), ZoneOffset.UTC);
    TlsMaterial b = TlsMaterial.selfManaged(dir, later);
    assertThat(b.caFingerprint()).isEqualTo(a.caFingerprint());
    assertThat(Files.readString(b.certChainFile())).isNotEqualTo(before);
  }

  @Test
  void selfManaged_newExtraName_reissuesServerCertFromSameCa() throws Exception {
    TlsMaterial a = TlsMaterial.selfManaged(dir, Clock.systemUTC());
    String before = Files.readString(a.certChainFile());
    TlsMaterial b = TlsMaterial.selfManaged(dir, Clock.systemUTC(), java.util.List.of("monitor.example.com", "192.0.2.7"));
    assertThat(b.caFingerprint()).isEqualTo(a.caFingerprint());
    assertThat(Files.readString(b.certChainFile())).isNotEqualTo(before);
    X509Certificate cert = TlsMaterial.readCert(b.certChainFile());
    assertThat(cert.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo("monitor.example.com"));
    assertThat(cert.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo("192.0.2.7"));
    // Same names again: nothing re-issued.
    String issued = Files.readString(b.certChainFile());
    TlsMaterial.selfManaged(dir, Clock.systemUTC(), java.util.List.of("monitor.example.com", "192.0.2.7"));
    assertThat(Files.readString(b.certChainFile())).isEqualTo(issued);
  }

  @Test
  void selfManaged_caKeyTakenOffline_keepsServingButRefusesToRenew() throws Exception {
    TlsMaterial a = TlsMaterial.selfManaged(dir, Clock.systemUTC());
    Files.delete(dir.resolve(TlsMaterial.CA_KEY));
    TlsMaterial b = TlsMaterial.selfManaged(dir, Clock.systemUTC());
    assertThat(b.caFingerprint()).isEqualTo(a.caFingerprint());
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> TlsMaterial.selfManaged(dir, Clock.systemUTC(), java.util.List.of("new.example.com")))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining("ca.key is missing");
    assertThat(TlsMaterial.readCert(dir.resolve(TlsMaterial.CA_CERT)).getEncoded())
        .isEqualTo(TlsMaterial.readCert(a.caCertFile()).getEncoded());
  }

  @Test
  void keyPair_selfManagedPkcs8_parsedWithJdkAndMatchesFiles() throws Exception {
    TlsMaterial m = TlsMaterial.selfManaged(dir, Clock.systemUTC());

    com.linecorp.armeria.common.TlsKeyPair kp = m.keyPair();
    com.linecorp.armeria.common.TlsKeyPair viaFiles =
        com.linecorp.armeria.common.TlsKeyPair.of(m.keyFile().toFile(), m.certChainFile().toFile());

    // Same key (the encodings differ in optional fields: BouncyCastle adds the public point).
    assertThat(((java.security.interfaces.ECPrivateKey) kp.privateKey()).getS())
        .isEqualTo(((java.security.interfaces.ECPrivateKey) viaFiles.privateKey()).getS());
    assertThat(kp.certificateChain()).isEqualTo(viaFiles.certificateChain());
  }

  @Test
  void keyPair_notPkcs8_fallsBackToArmeriaReadingTheFiles() throws Exception {
    TlsMaterial m = TlsMaterial.selfManaged(dir, Clock.systemUTC());
    Path other = dir.resolve("garbled.key");
    Files.writeString(other, "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n");
    TlsMaterial broken = TlsMaterial.fromFiles(m.certChainFile(), other, null);

    org.assertj.core.api.Assertions.assertThatThrownBy(broken::keyPair)
        .isInstanceOf(IllegalArgumentException.class);
  }
}
