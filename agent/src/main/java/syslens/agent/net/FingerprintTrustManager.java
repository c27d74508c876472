package syslens.agent.net;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a server chain only when one of its certificates (the CA, or a self-signed server
 * certificate) has the pinned SHA-256 fingerprint. That certificate then becomes the only trust
 * anchor of a standard PKIX check, which also validates signatures, dates and the host name.
 */
final class FingerprintTrustManager extends X509ExtendedTrustManager {

  private final String pin;

  FingerprintTrustManager(String normalizedPin) {
    this.pin = requireNonNull(normalizedPin, "normalizedPin");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegateFor(chain).checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegateFor(chain).checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    delegateFor(chain).checkServerTrusted(chain, authType);
  }

  private X509ExtendedTrustManager delegateFor(X509Certificate[] chain)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("server sent no certificate");
    }
    List<String> seen = new ArrayList<>(chain.length);
    for (X509Certificate cert : chain) {
      String fp = TlsTrust.fingerprintOf(cert);
      if (fp.equals(pin)) {
        for (TrustManager tm : TlsTrust.trustManagerFactory(List.of(cert)).getTrustManagers()) {
          if (tm instanceof X509ExtendedTrustManager x) {
            return x;
          }
        }
        throw new CertificateException("no X509ExtendedTrustManager available");
      }
      seen.add(cert.getSubjectX500Principal().getName() + " sha256=" + fp);
    }
    throw new CertificateException("server certificate chain does not contain the CA with SHA-256 "
        + "fingerprint " + pin + " (chain: " + seen + ")");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("the agent does not accept client connections");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("the agent does not accept client connections");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("the agent does not accept client connections");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
