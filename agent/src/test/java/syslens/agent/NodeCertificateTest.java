package syslens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's key, its PKCS#10 request (checked with BouncyCastle) and its stored certificate. */
class NodeCertificateTest {
  @TempDir Path dir;

  @Test
  void request_isValidPkcs10SignedByTheStoredKey_keyFileOwnerOnly() throws Exception {
    NodeCertificate nc = NodeCertificate.load(dir, "node-a");
    byte[] csr = nc.request();
    JcaPKCS10CertificationRequest req = new JcaPKCS10CertificationRequest(csr);
    assertThat(req.isSignatureValid(new JcaContentVerifierProviderBuilder().build(req.getPublicKey()))).isTrue();
    assertThat(req.getSubject().toString()).isEqualTo("CN=node-a");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(NodeCertificate.KEY_FILE))))
        .isEqualTo("rw-------");
    // The same key after a restart (a request made again proves the same key).
    byte[] again = NodeCertificate.load(dir, "node-a").request();
    assertThat(new JcaPKCS10CertificationRequest(again).getPublicKey()).isEqualTo(req.getPublicKey());
  }

  @Test
  void accept_certificateForThisNodeAndKey_storedAndReloaded() throws Exception {
    TestCerts ca = TestCerts.newCa("test-ca");
    NodeCertificate nc = NodeCertificate.load(dir, "node-a");
    assertThat(nc.wantsCertificate(Clock.systemUTC())).isTrue();
    var cert = ca.issueClient(nc.request(), "urn:syslens:node:node-a");
    nc.accept(cert.getEncoded(), Clock.systemUTC());
    assertThat(nc.wantsCertificate(Clock.systemUTC())).isFalse();
    NodeCertificate reloaded = NodeCertificate.load(dir, "node-a");
    assertThat(reloaded.certificate()).isEqualTo(cert);
    assertThat(reloaded.privateKey()).isNotNull();
    // Two thirds into its lifetime (one day here) it asks for a renewal.
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(17)), ZoneOffset.UTC);
    assertThat(reloaded.wantsCertificate(later)).isTrue();
    // A certificate stored for another node id is not used for this one.
    assertThat(NodeCertificate.load(dir, "node-b").certificate()).isNull();
  }

  @Test
  void accept_certificateForAnotherNode_refused() throws Exception {
    TestCerts ca = TestCerts.newCa("test-ca");
    NodeCertificate nc = NodeCertificate.load(dir, "node-a");
    var other = ca.issueClient(nc.request(), "urn:syslens:node:node-b");
    assertThatThrownBy(() -> nc.accept(other.getEncoded(), Clock.systemUTC())).isInstanceOf(IOException.class)
        .hasMessageContaining("expected: node node-a");
    assertThat(nc.certificate()).isNull();
    assertThat(dir.resolve(NodeCertificate.CERT_FILE)).doesNotExist();
  }
}
