package syslens.report;

/** Sends one mail with one attachment; throws when the mail server did not take it. */
@FunctionalInterface
public interface Mailer {
  void send(String to, String subject, String text, String attachmentName, String contentType, byte[] attachment)
      throws Exception;
}
