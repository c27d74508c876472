package syslens.alerting.notify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the SMTP sender: an e-mail receiver's {@code tls_config.ca_file} (PEM, one or more
 * certificates) becomes the only trust for that receiver, as in Alertmanager. Without it the JDK's
 * default trust store applies. Host names are always checked unless {@code insecure_skip_verify}.
 */
final class MailTls {
  /** A CA file is a few certificates; anything larger is not one. */
  private static final long MAX_CA_FILE_BYTES = 1 << 20;

  private MailTls() {}

  /** The certificates in a PEM file, or a {@link ConfigException} naming the field and what was wrong. */
  static List<X509Certificate> trustedCertificates(String file, String field) {
    Path p = Path.of(file);
    try {
      if (Files.size(p) > MAX_CA_FILE_BYTES) {
        throw new ConfigException(field, "\"" + file + "\" is larger than 1 MiB (expected: PEM certificates)");
      }
      try (InputStream in = Files.newInputStream(p)) {
        List<X509Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
            .map(X509Certificate.class::cast).toList();
        if (certs.isEmpty()) {
          throw new ConfigException(field, "\"" + file + "\" holds no certificate (expected: PEM certificates)");
        }
        return certs;
      }
    } catch (IOException e) {
      throw new ConfigException(field, "\"" + file + "\" cannot be read: " + e.getMessage()
          + " (expected: a readable PEM file)");
    } catch (GeneralSecurityException e) {
      throw new ConfigException(field, "\"" + file + "\" is not a certificate file: " + e.getMessage()
          + " (expected: PEM certificates)");
    }
  }

  /** A socket factory that trusts exactly the certificates of {@code caFile}. */
  static SSLSocketFactory socketFactory(String caFile) throws GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      ks.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    int i = 0;
    for (X509Certificate c : trustedCertificates(caFile, "tls_config.ca_file")) {
      ks.setCertificateEntry("ca" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx.getSocketFactory();
  }
}
