package syslens.agent.net;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the agent decides to trust the server: a CA certificate file (PEM), or the SHA-256
 * fingerprint of the server's CA certificate. The agent always uses TLS and always verifies the
 * server's host name against the certificate's subject alternative names.
 */
public final class TlsTrust {

  /** The agent's client certificate and its key, presented in the TLS handshake (mutual TLS). */
  public record ClientKey(java.security.PrivateKey key, X509Certificate certificate) {
    public ClientKey {
      requireNonNull(key, "key");
      requireNonNull(certificate, "certificate");
    }
  }

  private static boolean platformProbed;

  private final Path caFile;
  private final String fingerprint;
  private final java.util.function.Supplier<ClientKey> clientKey;

  private TlsTrust(Path caFile, String fingerprint, java.util.function.Supplier<ClientKey> clientKey) {
    this.caFile = caFile;
    this.fingerprint = fingerprint;
    this.clientKey = clientKey;
  }

  /** Trusts the CA certificates in a PEM file. */
  public static TlsTrust caFile(Path caFile) {
    return new TlsTrust(requireNonNull(caFile, "caFile"), null, null);
  }

  /** Trusts a chain whose CA (or self-signed) certificate has this SHA-256 fingerprint. */
  public static TlsTrust fingerprint(String sha256) {
    return new TlsTrust(null, normalizeFingerprint(sha256), null);
  }

  /**
   * The same trust, presenting the client certificate {@code clientKey} returns (read each time a
   * TLS context is built; null: none yet) so the server can verify the node's identity.
   */
  public TlsTrust withClientKey(java.util.function.Supplier<ClientKey> clientKey) {
    return new TlsTrust(caFile, fingerprint, requireNonNull(clientKey, "clientKey"));
  }

  /**
   * Lower-case hex without separators; accepts upper/lower case, with or without colons (as
   * {@code openssl x509 -fingerprint -sha256} prints it).
   */
  public static String normalizeFingerprint(String sha256) {
    requireNonNull(sha256, "sha256");
    String hex = sha256.strip().replace(":", "").toLowerCase(Locale.ROOT);
    if (hex.startsWith("sha256=")) {
      hex = hex.substring("sha256=".length());
    }
    if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("caFingerprint: " + sha256
          + " (expected: SHA-256 as 64 hex digits, colons optional)");
    }
    return hex;
  }

  /** The SHA-256 fingerprint of a certificate, as lower-case hex. */
  public static String fingerprintOf(X509Certificate cert) {
    try {
      return HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot fingerprint " + cert.getSubjectX500Principal(), e);
    }
  }

  /**
   * Builds the client TLS context (the JDK's provider; TLS 1.3 and 1.2); fails when the CA file
   * is unreadable or has no certificate.
   */
  SSLContext sslContext() throws IOException {
    TrustManager[] trust = fingerprint != null
        ? new TrustManager[] {new FingerprintTrustManager(fingerprint)}
        : caTrustManagerFactory(caFile).getTrustManagers();
    ClientKey mine = clientKey == null ? null : clientKey.get();
    try {
      KeyManager[] keys = mine == null ? null
          : new KeyManager[] {new NodeKeyManager(mine.key(), mine.certificate())};
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keys, trust, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS setup failed: " + e.getMessage(), e);
    }
  }

  static TrustManagerFactory caTrustManagerFactory(Path caFile) throws IOException {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(caFile)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (GeneralSecurityException e) {
      throw new IOException("caFile: " + caFile + " (expected: PEM certificates): "
          + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new IOException("caFile: " + caFile + " (expected: at least one PEM certificate)");
    }
    return trustManagerFactory(certs);
  }

  /**
   * The JDK's PKIX trust manager with these certificates as its only trust anchors (no
   * revocation checks, as the JDK's default for a trust store). Given as PKIX parameters, not as a
   * {@code KeyStore}: the same validator, without loading a key store implementation.
   */
  static TrustManagerFactory trustManagerFactory(Collection<? extends Certificate> certs) {
    try {
      Set<TrustAnchor> anchors = new HashSet<>();
      for (Certificate c : certs) {
        anchors.add(new TrustAnchor((X509Certificate) c, null));
      }
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, new X509CertSelector());
      params.setRevocationEnabled(false);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(new CertPathTrustManagerParameters(params));
      return tmf;
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalStateException("cannot build a trust manager", e);
    }
  }

  /**
   * Runs the OkHttp transport's one-time platform probe without the JDK's default CA store. The
   * probe ({@code io.grpc.okhttp.internal.Platform}) calls {@code SSLContext.getDefault()} and
   * initialises a context with the default trust managers only to learn the TLS provider; that
   * parses the JDK's ~150 CA certificates, kept on the heap for the life of the process
   * (docs/benchmarks.md, agent footprint). The agent never trusts them for the server (see
   * {@link #sslContext}), so the probe sees an empty store ({@code javax.net.ssl.trustStore=NONE})
   * and the property is put back at once: anything else that asks for the default trust later
   * (e.g. an HTTPS scrape target) loads the real store then.
   */
  static synchronized void probeTransportPlatform() {
    if (platformProbed) {
      return;
    }
    platformProbed = true;
    String prop = "javax.net.ssl.trustStore";
    String before = System.getProperty(prop);
    if (before != null) {
      io.grpc.okhttp.internal.Platform.get(); // an operator's own store: leave it as it is
      return;
    }
    System.setProperty(prop, "NONE");
    try {
      io.grpc.okhttp.internal.Platform.get();
    } finally {
      System.clearProperty(prop);
    }
  }

  @Override
  public String toString() {
    return fingerprint != null ? "TlsTrust{fingerprint=" + fingerprint + "}"
        : "TlsTrust{caFile=" + caFile + "}";
  }
}
