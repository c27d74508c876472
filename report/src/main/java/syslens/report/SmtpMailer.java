package syslens.report;

import static java.util.Objects.requireNonNull;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;

/**
 * Mail through an SMTP server (Jakarta Mail / Eclipse Angus), STARTTLS when the server offers it
 * ({@code requireTls} to insist). The password is never logged or put in messages.
 */
public final class SmtpMailer implements Mailer {
  private final String host;
  private final int port;
  private final String from;
  private final String username;
  private final String password;
  private final boolean requireTls;
  private final Duration timeout;

  public SmtpMailer(String host, int port, String from, String username, String password, boolean requireTls,
      Duration timeout) {
    this.host = requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
    }
    this.port = port;
    this.from = requireNonNull(from, "from");
    this.username = username;
    this.password = password;
    this.requireTls = requireTls;
    this.timeout = requireNonNull(timeout, "timeout");
  }

  @Override
  public void send(String to, String subject, String text, String attachmentName, String contentType, byte[] attachment)
      throws MessagingException {
    Properties p = new Properties();
    String ms = Long.toString(timeout.toMillis());
    p.put("mail.smtp.host", host);
    p.put("mail.smtp.port", Integer.toString(port));
    p.put("mail.smtp.connectiontimeout", ms);
    p.put("mail.smtp.timeout", ms);
    p.put("mail.smtp.writetimeout", ms);
    p.put("mail.smtp.auth", Boolean.toString(username != null));
    p.put("mail.smtp.starttls.enable", "true");
    p.put("mail.smtp.starttls.required", Boolean.toString(requireTls));
    p.put("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
    p.put("mail.smtp.ssl.checkserveridentity", "true");
    Session session = Session.getInstance(p);
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(from));
    m.addRecipient(RecipientType.TO, new InternetAddress(to));
    m.setSubject(subject, "UTF-8");
    m.setSentDate(new Date());
    MimeBodyPart body = new MimeBodyPart();
    body.setText(text, "UTF-8", "plain");
    MimeBodyPart file = new MimeBodyPart();
    file.setDataHandler(new jakarta.activation.DataHandler(new ByteArrayDataSource(attachment, contentType)));
    file.setFileName(attachmentName);
    m.setContent(new MimeMultipart(body, file));
    try (Transport t = session.getTransport("smtp")) {
      t.connect(host, port, username, password);
      t.sendMessage(m, m.getAllRecipients());
    }
  }
}
