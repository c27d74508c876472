package syslens.alerting.notify;

/**
 * Seals the secrets of the notification configuration (SMTP passwords, tokens, webhook URLs) at
 * rest with the server's master key; the composition root implements it. Sealed text is safe to
 * store and log; opened text is never stored or logged.
 */
public interface SecretCipher {
  String seal(String plaintext);

  /** Throws IllegalArgumentException when the text was not sealed with this key or was altered. */
  String open(String sealed);
}
