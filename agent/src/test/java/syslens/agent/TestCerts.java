package syslens.agent;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA and server certificates for TLS tests (BouncyCastle, tests only). */
final class TestCerts {

  private static final AtomicLong SERIAL = new AtomicLong(1);

  final X509Certificate ca;
  private final PrivateKey caKey;

  private TestCerts(X509Certificate ca, PrivateKey caKey) {
    this.ca = ca;
    this.caKey = caKey;
  }

  static TestCerts newCa(String name) throws Exception {
    KeyPair kp = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
        BigInteger.valueOf(SERIAL.getAndIncrement()), from(), to(), subject, kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new TestCerts(sign(b, kp.getPrivate()), kp.getPrivate());
  }

  /** A server key and chain [leaf, ca] with the given SANs (IP addresses or DNS names). */
  Server issueServer(String... sans) throws Exception {
    KeyPair kp = keyPair();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca,
        BigInteger.valueOf(SERIAL.getAndIncrement()), from(), to(), new X500Name("CN=" + sans[0]),
        kp.getPublic());
    GeneralName[] names = new GeneralName[sans.length];
    for (int i = 0; i < sans.length; i++) {
      boolean ip = sans[i].matches("[0-9.]+");
      names[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, sans[i]);
    }
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    return new Server(kp.getPrivate(), new X509Certificate[] {sign(b, caKey), ca});
  }

  /** A client certificate for the key of a PKCS#10 request, SAN URI {@code uri} (as the server's CA). */
  X509Certificate issueClient(byte[] csr, String uri) throws Exception {
    var req = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(csr);
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca,
        BigInteger.valueOf(SERIAL.getAndIncrement()), from(), to(), new X500Name("CN=client"), req.getPublicKey());
    b.addExtension(Extension.subjectAlternativeName, true,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
    return sign(b, caKey);
  }

  Path writeCaPem(Path dir) throws IOException, GeneralSecurityException {
    Path file = dir.resolve("ca-" + ca.getSerialNumber() + ".pem");
    String pem = "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(ca.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
    Files.writeString(file, pem);
    return file;
  }

  record Server(PrivateKey key, X509Certificate[] chain) {}

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static Date from() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date to() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }
}
