package syslens.server.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import syslens.security.NodeCertificateIssuer;
import syslens.security.NodeIdentities;

/**
 * Issues agents' client certificates from the server's CA (docs/adr/0006-agent-certificates.md):
 * the node id is the certificate's only subject alternative name, the URI
 * {@code urn:syslens:node:<id>} (also its CN, for people reading it); extended key usage
 * clientAuth. The request's signature must verify (the agent holds the key) and its key must be
 * EC P-256/P-384 or RSA of at least 2048 bits; its subject is ignored.
 */
public final class AgentCa implements NodeCertificateIssuer {
  public static final String NODE_URI_PREFIX = "urn:syslens:node:";
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(90);
  /** Largest PKCS#10 request accepted (an RSA-4096 request is about 1.2 KiB). */
  public static final int MAX_CSR_BYTES = 4096;

  private final X509Certificate ca;
  private final PrivateKey caKey;
  private final Clock clock;
  private final Duration validity;

  AgentCa(X509Certificate ca, PrivateKey caKey, Clock clock, Duration validity) {
    this.ca = requireNonNull(ca, "ca");
    this.caKey = requireNonNull(caKey, "caKey");
    this.clock = requireNonNull(clock, "clock");
    this.validity = requireNonNull(validity, "validity");
    if (validity.compareTo(Duration.ofMinutes(1)) < 0 || validity.compareTo(Duration.ofDays(825)) > 0) {
      throw new IllegalArgumentException("agent certificate validity: " + validity
          + " (expected: 1 minute to 825 days)");
    }
  }

  @Override
  public String verifiedKey(byte[] csr) {
    return keyDigest(verified(csr));
  }

  @Override
  public Issued issue(String nodeId, byte[] csr) {
    requireNonNull(nodeId, "nodeId");
    PublicKey key = verified(csr);
    Instant now = clock.instant();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(ca.getNotAfter().toInstant())) {
      notAfter = ca.getNotAfter().toInstant();
    }
    BigInteger serial = TlsMaterial.serial();
    try {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial,
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(notAfter),
          new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, nodeId).addRDN(BCStyle.O, "SysLens agent").build(),
          key);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, NODE_URI_PREFIX + nodeId)));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
      X509Certificate cert = TlsMaterial.sign(b.build(TlsMaterial.signer(caKey)));
      return new Issued(serialHex(cert), keyDigest(key), notAfter.toEpochMilli(), cert.getEncoded());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) { // not BouncyCastle's own types: see TlsMaterial.selfManaged
      throw new IllegalStateException("issuing a certificate for node " + nodeId + " failed", e);
    }
  }

  private static PublicKey verified(byte[] csr) {
    requireNonNull(csr, "csr");
    if (csr.length == 0 || csr.length > MAX_CSR_BYTES) {
      throw new IllegalArgumentException(csr.length + " bytes (expected: a DER PKCS#10 request of 1-"
          + MAX_CSR_BYTES + " bytes)");
    }
    JcaPKCS10CertificationRequest req;
    try {
      req = new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(csr));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a PKCS#10 request (" + e.getClass().getSimpleName()
          + ") (expected: DER PKCS#10)", e);
    }
    PublicKey key;
    try {
      key = req.getPublicKey();
      if (!req.isSignatureValid(new JcaContentVerifierProviderBuilder().build(req.getSubjectPublicKeyInfo()))) {
        throw new IllegalArgumentException("signature does not verify (expected: signed with the request's key)");
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) { // GeneralSecurityException, and BouncyCastle's unnamed: see TlsMaterial.selfManaged
      throw new IllegalArgumentException("unusable request: " + e.getMessage() + " (expected: DER PKCS#10)", e);
    }
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      if (bits != 256 && bits != 384) {
        throw new IllegalArgumentException("EC key of " + bits + " bits (expected: P-256 or P-384)");
      }
    } else if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < 2048) {
        throw new IllegalArgumentException("RSA key of " + rsa.getModulus().bitLength() + " bits (expected: >= 2048)");
      }
    } else {
      throw new IllegalArgumentException(key.getAlgorithm() + " key (expected: EC P-256/P-384 or RSA >= 2048)");
    }
    return key;
  }

  static String keyDigest(PublicKey key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Serial number as lower-case hex, the form stored and shown by the API. */
  public static String serialHex(X509Certificate cert) {
    return cert.getSerialNumber().toString(16);
  }

  /** The node id of an agent certificate (its SAN URI), or null when it names none. */
  public static String nodeIdOf(X509Certificate cert) {
    try {
      var sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (((Integer) san.get(0)) == GeneralName.uniformResourceIdentifier
              && san.get(1) instanceof String uri && uri.startsWith(NODE_URI_PREFIX)) {
            return uri.substring(NODE_URI_PREFIX.length());
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      // no usable names
    }
    return null;
  }

  /**
   * The client certificate of a TLS session (verified against the CA by the handshake), or null
   * when the peer presented none or the connection is plain HTTP.
   */
  public static NodeIdentities.PresentedCertificate presented(SSLSession session) {
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return null;
    }
    return new NodeIdentities.PresentedCertificate(nodeIdOf(leaf), serialHex(leaf));
  }
}
