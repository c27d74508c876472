package syslens.server;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import syslens.alerting.notify.SecretCipher;
import syslens.vsphere.CredentialCipher;

/**
 * Seals secrets at rest (vCenter passwords, the notification config's passwords, tokens and
 * webhook URLs) with AES-256-GCM under the master key: {@code SYSLENS_MASTER_KEY} when set, else
 * {@code data/secrets/master-key} (32 random bytes, mode 0600, created on first start). Sealed form:
 * {@code v1:<base64url(12-byte nonce || ciphertext || 16-byte tag)>}.
 */
final class MasterKeyCipher implements CredentialCipher, SecretCipher {
  private static final String PREFIX = "v1:";
  private static final byte[] AAD = "syslens-credential-v1".getBytes(StandardCharsets.US_ASCII);
  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  MasterKeyCipher(byte[] key) {
    requireNonNull(key, "key");
    if (key.length != 32) {
      throw new IllegalArgumentException("master key: " + key.length + " bytes (expected: 32)");
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /** The master key from (or newly into) {@code secrets/master-key}. */
  static MasterKeyCipher open(Secrets secrets) throws java.io.IOException {
    return of(secrets.getOrCreate("master-key"), secrets.path("master-key").toString());
  }

  /** The master key from its base64url text; {@code where} names its origin in errors. */
  static MasterKeyCipher of(String encoded, String where) {
    byte[] key;
    try {
      key = Base64.getUrlDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(where + " is not base64url (expected: 32 random bytes, base64url, e.g. "
          + "head -c 32 /dev/urandom | basenc --base64url)", e);
    }
    if (key.length != 32) {
      throw new IllegalStateException(where + ": " + key.length + " bytes (expected: 32)");
    }
    return new MasterKeyCipher(key);
  }

  @Override
  public String seal(String plaintext) {
    requireNonNull(plaintext, "plaintext");
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(AAD);
      byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return PREFIX + Base64.getUrlEncoder().withoutPadding()
          .encodeToString(ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
    }
  }

  @Override
  public String open(String sealed) {
    requireNonNull(sealed, "sealed");
    if (!sealed.startsWith(PREFIX)) {
      throw new IllegalArgumentException("sealed secret: unknown format (expected: v1:...)");
    }
    byte[] all;
    try {
      all = Base64.getUrlDecoder().decode(sealed.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("sealed secret: not base64url (expected: v1:<base64url>)");
    }
    if (all.length < 12 + 16) {
      throw new IllegalArgumentException("sealed secret: " + all.length + " bytes (expected: >= 28)");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
      c.updateAAD(AAD);
      return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new IllegalArgumentException("sealed secret: altered, or sealed with another master key");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
    }
  }
}
