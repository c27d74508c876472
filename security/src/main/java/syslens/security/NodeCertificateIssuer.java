package syslens.security;

/**
 * Issues client certificates to nodes (implemented by the server over its CA; the security module
 * knows no X.509 details). The node id goes into the certificate's SAN URI
 * {@code urn:syslens:node:<id>}; see docs/adr/0006-agent-certificates.md.
 */
public interface NodeCertificateIssuer {
  /** A certificate just issued: serial (lower-case hex), SHA-256 of its public key, expiry, DER. */
  record Issued(String serial, String publicKeySha256, long notAfter, byte[] der) {}

  /**
   * Checks the PKCS#10 request (its signature proves the sender holds the private key) and returns
   * the SHA-256 (hex) of its public key.
   *
   * @throws IllegalArgumentException naming what is wrong with the request
   */
  String verifiedKey(byte[] csr);

  /**
   * Issues a certificate for {@code nodeId} over the request's public key.
   *
   * @throws IllegalArgumentException naming what is wrong with the request
   */
  Issued issue(String nodeId, byte[] csr);
}
