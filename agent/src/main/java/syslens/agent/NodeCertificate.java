package syslens.agent;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The node's client identity for mutual TLS (docs/adr/0006-agent-certificates.md): an EC P-256
 * key the agent creates and keeps in {@code <state dir>/node.key} (PKCS#8 PEM, mode 0600; it never
 * leaves the host), and the certificate the server's CA issued for it, bound to the node id, in
 * {@code <state dir>/node.crt}. The key is written before its request is sent, so an agent that
 * crashed before storing the certificate can ask again with the same key.
 */
final class NodeCertificate {
  static final String KEY_FILE = "node.key";
  static final String CERT_FILE = "node.crt";
  static final String NODE_URI_PREFIX = "urn:syslens:node:";
  static final int MAX_FILE_BYTES = 16 * 1024;

  private final Path stateDir;
  private final String nodeId;
  private KeyPair key;
  private volatile X509Certificate certificate;
  /** The current certificate was already due for renewal by this agent's clock when it arrived. */
  private volatile boolean dueOnArrival;

  private NodeCertificate(Path stateDir, String nodeId) {
    this.stateDir = stateDir;
    this.nodeId = requireNonNull(nodeId, "nodeId");
  }

  /**
   * Loads the key and certificate kept for {@code nodeId} under {@code stateDir} (null: in memory
   * only). A certificate for another node id, or for another key, is ignored.
   */
  static NodeCertificate load(Path stateDir, String nodeId) throws IOException {
    NodeCertificate c = new NodeCertificate(stateDir, nodeId);
    if (stateDir == null) {
      return c;
    }
    Path keyFile = stateDir.resolve(KEY_FILE);
    if (Files.exists(keyFile)) {
      c.key = readKey(keyFile);
      Path certFile = stateDir.resolve(CERT_FILE);
      if (Files.exists(certFile)) {
        X509Certificate cert = parse(pemBody(read(certFile), "CERTIFICATE"));
        if (c.matches(cert)) {
          c.certificate = cert;
        }
      }
    }
    return c;
  }

  /** The current certificate, or null before enrolment. */
  X509Certificate certificate() {
    return certificate;
  }

  /** The key of the current certificate (null before enrolment). */
  synchronized PrivateKey privateKey() {
    return certificate == null ? null : key.getPrivate();
  }

  /**
   * True when the agent should ask for a certificate (none yet) or a renewal: when less than a
   * third of the current one's lifetime is left.
   */
  boolean wantsCertificate(Clock clock) {
    X509Certificate c = certificate;
    if (c == null) {
      return true;
    }
    if (dueOnArrival) {
      return false; // due the moment it arrived: this clock is far off the server's; no renewal loop
    }
    return due(c, clock);
  }

  private static boolean due(X509Certificate c, Clock clock) {
    Instant from = c.getNotBefore().toInstant();
    Instant until = c.getNotAfter().toInstant();
    Duration third = Duration.between(from, until).dividedBy(3);
    return clock.instant().isAfter(until.minus(third));
  }

  /** A PKCS#10 request over the node's key, creating (and storing) the key first if needed. */
  synchronized byte[] request() throws IOException {
    try {
      if (key == null) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        if (stateDir != null) {
          NodeCredential.writeOwnerOnly(stateDir, KEY_FILE, pem("PRIVATE KEY", kp.getPrivate().getEncoded())
              + pem("PUBLIC KEY", kp.getPublic().getEncoded()));
        }
        key = kp;
      }
      return Pkcs10.create(key, nodeId);
    } catch (GeneralSecurityException e) {
      throw new IOException("creating the node's key or certificate request failed: " + e.getMessage(), e);
    }
  }

  /**
   * Takes a certificate the server issued: it must be for this node id and this key. Stored
   * (mode 0600) before it is used.
   */
  synchronized void accept(byte[] der, Clock clock) throws IOException {
    X509Certificate cert = parse(der);
    if (!matches(cert)) {
      throw new IOException("certificate from the server is for " + cert.getSubjectX500Principal()
          + " (expected: node " + nodeId + " and this agent's key)");
    }
    if (stateDir != null) {
      NodeCredential.writeOwnerOnly(stateDir, CERT_FILE, pem("CERTIFICATE", der));
    }
    certificate = cert;
    dueOnArrival = due(cert, clock);
  }

  private boolean matches(X509Certificate cert) {
    return key != null && cert.getPublicKey().equals(key.getPublic()) && nodeId.equals(nodeIdOf(cert));
  }

  static String nodeIdOf(X509Certificate cert) {
    try {
      var sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (((Integer) san.get(0)) == 6 && san.get(1) instanceof String uri && uri.startsWith(NODE_URI_PREFIX)) {
            return uri.substring(NODE_URI_PREFIX.length());
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      // no usable names
    }
    return null;
  }

  /** node.key holds the PKCS#8 private key and, after it, the public key (the JDK cannot derive it). */
  private static KeyPair readKey(Path f) throws IOException {
    String pem = read(f);
    try {
      KeyFactory kf = KeyFactory.getInstance("EC");
      PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(pemBody(pem, "PRIVATE KEY")));
      PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(pemBody(pem, "PUBLIC KEY")));
      return new KeyPair(pub, priv);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException(f + ": not an EC key pair in PEM (expected: PRIVATE KEY and PUBLIC KEY blocks): "
          + e.getMessage(), e);
    }
  }

  private static X509Certificate parse(byte[] der) throws IOException {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IOException("not an X.509 certificate: " + e.getMessage(), e);
    }
  }

  private static String read(Path f) throws IOException {
    if (Files.size(f) > MAX_FILE_BYTES) {
      throw new IOException(f + ": " + Files.size(f) + " bytes (expected: <= " + MAX_FILE_BYTES + ")");
    }
    return Files.readString(f, StandardCharsets.US_ASCII);
  }

  private static byte[] pemBody(String pem, String type) throws IOException {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end);
    if (b < 0 || e < b) {
      throw new IOException("expected a PEM " + type);
    }
    return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
