package syslens.alerting.notify;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The notification configuration's global SMTP settings and external URL, for other senders
 * (scheduled reports); {@link #toString} never shows the password.
 */
public record GlobalMail(String host, int port, String from, String username, String password, boolean requireTls,
    String externalUrl) {

  /** From a configuration's {@code global} section: empty when {@code smtp_smarthost} or {@code smtp_from} is not set. */
  static Optional<GlobalMail> of(JsonNode g) {
    String hostPort = g.path("smtp_smarthost").asText("");
    String from = g.path("smtp_from").asText("");
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || from.isEmpty()) {
      return Optional.empty();
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    String user = g.path("smtp_auth_username").asText("");
    String password = g.path("smtp_auth_password").asText("");
    return Optional.of(new GlobalMail(hostPort.substring(0, colon), port, from, user.isEmpty() ? null : user,
        password.isEmpty() ? null : password, g.path("smtp_require_tls").asBoolean(true),
        g.path("external_url").asText("")));
  }

  @Override
  public String toString() {
    return "GlobalMail[" + host + ":" + port + ", from=" + from + ", user=" + username + ", password redacted]";
  }
}
