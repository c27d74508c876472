package syslens.server.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's TLS identity. Either files the operator configured, or a private CA plus a server
 * certificate that the server creates under {@code <data>/tls/} on first start and reuses after.
 * Agents trust the CA by file ({@code ca.crt}) or by its SHA-256 fingerprint.
 */
public final class TlsMaterial {
  static final String CA_CERT = "ca.crt";
  static final String CA_KEY = "ca.key";
  static final String SERVER_CERT = "server.crt";
  static final String SERVER_KEY = "server.key";

  private final Path certChainFile;
  private final Path keyFile;
  private final Path caCertFile;
  private final X509Certificate caCert;
  /** The CA's key when the server holds it (self-managed CA): it then issues agent certificates. */
  private final PrivateKey caKey;

  private TlsMaterial(Path certChainFile, Path keyFile, Path caCertFile, X509Certificate caCert, PrivateKey caKey) {
    this.certChainFile = certChainFile;
    this.keyFile = keyFile;
    this.caCertFile = caCertFile;
    this.caCert = caCert;
    this.caKey = caKey;
  }

  /** Uses operator-provided PEM files; the CA file is optional (used only to print a fingerprint). */
  public static TlsMaterial fromFiles(Path certChainFile, Path keyFile, Path caCertFile) {
    requireNonNull(certChainFile, "certChainFile");
    requireNonNull(keyFile, "keyFile");
    for (Path p : new Path[] {certChainFile, keyFile}) {
      if (!Files.isReadable(p)) {
        throw new IllegalArgumentException("TLS file: " + p + " (expected: a readable PEM file)");
      }
    }
    X509Certificate ca = caCertFile == null ? null : readCert(caCertFile);
    return new TlsMaterial(certChainFile, keyFile, caCertFile, ca, null);
  }

  /**
   * Loads the self-managed CA and server certificate from {@code dir}, creating them when
   * absent. A server certificate that expires within 30 days is renewed from the same CA.
   */
  public static TlsMaterial selfManaged(Path dir, Clock clock) throws IOException {
    return selfManaged(dir, clock, List.of());
  }

  /**
   * As {@link #selfManaged(Path, Clock)}; the server certificate names localhost, this host's
   * names and addresses, and {@code extraNames} (DNS names or IP addresses agents dial). It is
   * re-issued from the same CA when that set grows.
   */
  public static TlsMaterial selfManaged(Path dir, Clock clock, List<String> extraNames) throws IOException {
    requireNonNull(dir, "dir");
    requireNonNull(extraNames, "extraNames");
    Files.createDirectories(dir);
    Path caCertFile = dir.resolve(CA_CERT);
    Path caKeyFile = dir.resolve(CA_KEY);
    Path certFile = dir.resolve(SERVER_CERT);
    Path keyFile = dir.resolve(SERVER_KEY);
    try {
      Set<String> wanted = wantedNames(extraNames);
      X509Certificate caCert;
      PrivateKey caKey;
      if (Files.exists(caCertFile) && !Files.exists(caKeyFile)) {
        // The operator took the CA key offline: keep serving the certificate while it is good.
        caCert = readCert(caCertFile);
        if (!Files.exists(certFile) || !Files.exists(keyFile) || needsRenewal(readCert(certFile), wanted, clock)) {
          throw new IOException(caKeyFile + " is missing and the server certificate " + certFile
              + " is missing, expiring or lacks a name in " + wanted
              + " (expected: put ca.key back for one start, or pass --tls-cert/--tls-key)");
        }
        return new TlsMaterial(certFile, keyFile, caCertFile, caCert, null);
      }
      if (Files.exists(caCertFile)) {
        caCert = readCert(caCertFile);
        caKey = readKey(caKeyFile);
      } else {
        KeyPair kp = newKeyPair();
        caCert = createCa(kp, clock);
        caKey = kp.getPrivate();
        writeSecret(caKeyFile, pem(caKey));
        writePublic(caCertFile, pem(caCert));
        Files.deleteIfExists(certFile);
      }
      boolean renew = !Files.exists(certFile) || !Files.exists(keyFile)
          || needsRenewal(readCert(certFile), wanted, clock);
      if (renew) {
        KeyPair kp = newKeyPair();
        X509Certificate cert = createServerCert(kp, caCert, caKey, clock, wanted);
        writeSecret(keyFile, pem(kp.getPrivate()));
        writePublic(certFile, pem(cert) + pem(caCert));
      }
      return new TlsMaterial(certFile, keyFile, caCertFile, caCert, caKey);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      // GeneralSecurityException or BouncyCastle's OperatorCreationException, deliberately not named:
      // a BouncyCastle type in a catch clause loads it (and verifies its signed jar) whenever this
      // class is verified, on every start, though only a first start makes keys.
      throw new IOException("creating TLS material in " + dir + " failed", e);
    }
  }

  public Path certChainFile() {
    return certChainFile;
  }

  public Path keyFile() {
    return keyFile;
  }

  /** The CA certificate file agents should trust, or null when the operator gave none. */
  public Path caCertFile() {
    return caCertFile;
  }

  /** The CA certificate (null when the operator gave none): agents' client certificates chain to it. */
  public X509Certificate caCertificate() {
    return caCert;
  }

  /**
   * The CA that issues agents' client certificates ({@code validity} each), or null when the
   * server does not hold the CA's key (operator certificates, or ca.key taken offline).
   */
  public AgentCa agentCa(Clock clock, Duration validity) {
    return caKey == null ? null : new AgentCa(caCert, caKey, clock, validity);
  }

  /** SHA-256 of the CA certificate (DER), as colon-separated upper-case hex, or null. */
  public String caFingerprint() {
    if (caCert == null) {
      return null;
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(caCert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return g.generateKeyPair();
  }

  private static X509Certificate createCa(KeyPair kp, Clock clock)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    Instant now = clock.instant();
    X500Name name = new X500Name("CN=SysLens CA " + HexFormat.of().formatHex(randomBytes(4)) + ",O=SysLens");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))), name,
        kp.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
    return sign(b.build(signer(kp.getPrivate())));
  }

  private static boolean needsRenewal(X509Certificate cert, Set<String> wanted, Clock clock) {
    return cert.getNotAfter().toInstant().isBefore(clock.instant().plus(Duration.ofDays(30)))
        || !sans(cert).containsAll(wanted);
  }

  /** localhost, loopback, this host's names and non-loopback addresses, and the extra names. */
  static Set<String> wantedNames(List<String> extra) {
    Set<String> names = new java.util.TreeSet<>(List.of("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1"));
    names.add(hostname().toLowerCase(java.util.Locale.ROOT));
    try {
      names.add(InetAddress.getLocalHost().getCanonicalHostName().toLowerCase(java.util.Locale.ROOT));
      var ifaces = java.net.NetworkInterface.networkInterfaces().toList();
      for (var ni : ifaces) {
        if (ni.isUp() && !ni.isLoopback()) {
          ni.inetAddresses().filter(a -> !a.isLinkLocalAddress()).forEach(a -> names.add(normalize(a)));
        }
      }
    } catch (IOException e) {
      // names we cannot look up are simply not added
    }
    for (String n : extra) {
      names.add(isIp(n) ? normalize(n) : n.toLowerCase(java.util.Locale.ROOT));
    }
    return names;
  }

  private static Set<String> sans(X509Certificate cert) {
    Set<String> out = new java.util.TreeSet<>();
    try {
      var all = cert.getSubjectAlternativeNames();
      if (all != null) {
        for (List<?> san : all) {
          String v = String.valueOf(san.get(1));
          out.add(((Integer) san.get(0)) == GeneralName.iPAddress ? normalize(v) : v.toLowerCase(java.util.Locale.ROOT));
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      // no usable names: renew
    }
    return out;
  }

  static boolean isIp(String s) {
    return s.matches("[0-9.]+") || s.contains(":");
  }

  private static String normalize(String ip) {
    try {
      return normalize(InetAddress.getByName(ip));
    } catch (IOException e) {
      return ip;
    }
  }

  private static String normalize(InetAddress a) {
    String h = a.getHostAddress();
    int pct = h.indexOf('%');
    return pct < 0 ? h : h.substring(0, pct);
  }

  private static X509Certificate createServerCert(KeyPair kp, X509Certificate ca, PrivateKey caKey,
      Clock clock, Set<String> names) throws GeneralSecurityException, OperatorCreationException, IOException {
    Instant now = clock.instant();
    String host = hostname();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(825))),
        new X500Name("CN=" + host + ",O=SysLens"), kp.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    List<GeneralName> sans = new ArrayList<>();
    for (String n : names) {
      sans.add(new GeneralName(isIp(n) ? GeneralName.iPAddress : GeneralName.dNSName, n));
    }
    b.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(sans.toArray(new GeneralName[0])));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
    return sign(b.build(signer(caKey)));
  }

  static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
    return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
  }

  static X509Certificate sign(X509CertificateHolder h) throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(h);
  }

  static BigInteger serial() {
    return new BigInteger(1, randomBytes(16));
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  static String hostname() {
    try {
      String h = InetAddress.getLocalHost().getHostName();
      return h == null || h.isBlank() ? "localhost" : h;
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static String pem(Object o) throws IOException {
    if (o instanceof PrivateKey k) { // PKCS#8, which every TLS stack (Netty included) reads
      return "-----BEGIN PRIVATE KEY-----\n"
          + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(k.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
    }
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    }
    return sw.toString();
  }

  /**
   * The server's key and certificate chain, read with the JDK alone when the key is PKCS#8 (as
   * the self-managed one is): Armeria's own PEM reader loads a BouncyCastle provider, a good part
   * of the server's start. Other key formats fall back to Armeria reading the files.
   */
  public com.linecorp.armeria.common.TlsKeyPair keyPair() {
    try {
      PrivateKey key = pkcs8Pem(Files.readString(keyFile, StandardCharsets.US_ASCII));
      if (key != null) {
        List<X509Certificate> chain = new ArrayList<>();
        try (var in = Files.newInputStream(certChainFile)) {
          for (var c : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
            chain.add((X509Certificate) c);
          }
        }
        if (!chain.isEmpty()) {
          return com.linecorp.armeria.common.TlsKeyPair.of(key, chain);
        }
      }
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      // fall through: Armeria reads the files and reports what is wrong with them
    }
    return com.linecorp.armeria.common.TlsKeyPair.of(keyFile.toFile(), certChainFile.toFile());
  }

  /** The key of a PEM "PRIVATE KEY" (PKCS#8) text read with the JDK, or null if it is another form. */
  private static PrivateKey pkcs8Pem(String pem) {
    String text = pem.trim();
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    if (!text.startsWith(begin) || !text.endsWith(end)) {
      return null;
    }
    return pkcs8(java.util.Base64.getMimeDecoder().decode(text.substring(begin.length(), text.length() - end.length())));
  }

  private static PrivateKey pkcs8(byte[] der) {
    for (String alg : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        return java.security.KeyFactory.getInstance(alg)
            .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not this algorithm; try the next
      }
    }
    return null;
  }

  /**
   * A PEM certificate file's first certificate, read with the JDK's X.509 factory: a restart then
   * loads none of BouncyCastle, whose signed jars are verified on every start and cannot be kept
   * in the class-data archive.
   */
  static X509Certificate readCert(Path p) {
    try (var in = Files.newInputStream(p)) {
      var certs = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("certificate file: " + p + " (expected: a PEM certificate)");
      }
      return (X509Certificate) certs.iterator().next();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("certificate file: " + p + " unreadable: " + e.getMessage()
          + " (expected: a PEM certificate)", e);
    }
  }

  /** A PEM private key: PKCS#8 (as written here) with the JDK, other PEM forms with BouncyCastle. */
  static PrivateKey readKey(Path p) throws IOException {
    try {
      PrivateKey key = pkcs8Pem(Files.readString(p, StandardCharsets.US_ASCII));
      if (key != null) {
        return key;
      }
    } catch (IllegalArgumentException e) {
      // not Base64: BouncyCastle's parser below names the problem
    }
    try (Reader r = Files.newBufferedReader(p, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) {
        return conv.getKeyPair(kp).getPrivate();
      } else if (o instanceof PrivateKeyInfo info) {
        return conv.getPrivateKey(info);
      }
      throw new IOException("key file: " + p + " (expected: a PEM private key)");
    }
  }

  /** Writes a file readable by the owner only, atomically. */
  public static void writeSecret(Path p, String content) throws IOException {
    Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write(content);
    }
    Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writePublic(Path p, String content) throws IOException {
    Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
