package syslens.agent;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;

/**
 * A PKCS#10 certificate signing request (RFC 2986) for an EC P-256 key, DER-encoded with the JDK
 * alone: the agent carries no BouncyCastle (8 MB) for one small structure. Subject {@code CN=<id>},
 * no attributes, signature ecdsa-with-SHA256. The server ignores the subject and reads only the
 * key and the signature, which proves the agent holds the private key.
 */
final class Pkcs10 {
  /** 2.5.4.3 (commonName). */
  private static final byte[] OID_CN = {0x06, 0x03, 0x55, 0x04, 0x03};
  /** 1.2.840.10045.4.3.2 (ecdsa-with-SHA256). */
  private static final byte[] OID_ECDSA_SHA256 = {0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x04, 0x03, 0x02};

  private Pkcs10() {}

  static byte[] create(KeyPair key, String commonName) throws GeneralSecurityException {
    byte[] name = seq(set(seq(OID_CN, tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))));
    byte[] info = seq(tlv(0x02, new byte[] {0}), name, key.getPublic().getEncoded(), tlv(0xA0, new byte[0]));
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key.getPrivate());
    s.update(info);
    byte[] sig = s.sign(); // DER Ecdsa-Sig-Value
    byte[] bits = new byte[sig.length + 1]; // BIT STRING: 0 unused bits first
    System.arraycopy(sig, 0, bits, 1, sig.length);
    return seq(info, seq(OID_ECDSA_SHA256), tlv(0x03, bits));
  }

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Tag, DER length (short or long form), value. */
  static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n <= 0xFF) {
      out.write(0x81);
      out.write(n);
    } else if (n <= 0xFFFF) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
