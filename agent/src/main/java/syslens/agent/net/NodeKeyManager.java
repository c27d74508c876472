package syslens.agent.net;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the node's one client certificate and key in the TLS handshake. Replaces a PKCS12
 * {@code KeyStore} plus {@code KeyManagerFactory}: those encrypt the key into the store and decrypt
 * it again (PBKDF2, 10,000 rounds each way) and load ~90 classes (PKCS12, PBES2, PKCS#7/#9
 * attributes) only to hand back the same key (docs/benchmarks.md, agent footprint). The server
 * checks the certificate; this only offers it when the server asks for one of its key type.
 */
final class NodeKeyManager extends X509ExtendedKeyManager {

  static final String ALIAS = "node";

  private final PrivateKey key;
  private final X509Certificate[] chain;

  NodeKeyManager(PrivateKey key, X509Certificate certificate) {
    this.key = requireNonNull(key, "key");
    this.chain = new X509Certificate[] {requireNonNull(certificate, "certificate")};
  }

  /** The alias when the server accepts this key's type (e.g. "EC", "RSA"), else null: no certificate sent. */
  private String alias(String[] keyTypes) {
    if (keyTypes == null) {
      return null;
    }
    for (String t : keyTypes) {
      if (key.getAlgorithm().equalsIgnoreCase(t)) {
        return ALIAS;
      }
    }
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return alias(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return alias(keyTypes);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return alias(new String[] {keyType}) == null ? null : new String[] {ALIAS};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null; // the agent never accepts TLS connections
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
