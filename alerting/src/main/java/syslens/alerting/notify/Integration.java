package syslens.alerting.notify;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One way a receiver is reached (an Alertmanager "integration"); secrets are never in toString. */
sealed interface Integration {
  /** The config key it came from, e.g. {@code webhook_configs}. */
  String kind();

  boolean sendResolved();

  Duration timeout();

  /** What the receivers API shows: no passwords, tokens or signing secrets. */
  Map<String, Object> view();

  /** SMTP: {@code smarthost} host:port; port 465 (or {@code tls: true}) is implicit TLS, else STARTTLS if offered/required. */
  record Email(List<String> to, String from, String host, int port, String authUsername, String authPassword,
      boolean requireTls, boolean implicitTls, boolean insecureSkipVerify, String caFile,
      Map<String, String> headers, boolean sendResolved, Duration timeout) implements Integration {
    @Override
    public String kind() {
      return "email_configs";
    }

    @Override
    public Map<String, Object> view() {
      return Map.of("type", "email", "to", to, "from", from, "smarthost", host + ":" + port,
          "require_tls", requireTls, "tls", implicitTls, "send_resolved", sendResolved);
    }

    @Override
    public String toString() {
      return "Email" + view();
    }
  }

  /** Alertmanager's generic webhook: its JSON payload, optional bearer token or basic auth. */
  record Webhook(String url, int maxAlerts, String bearerToken, String basicUser, String basicPassword,
      boolean sendResolved, Duration timeout) implements Integration {
    @Override
    public String kind() {
      return "webhook_configs";
    }

    @Override
    public Map<String, Object> view() {
      return Map.of("type", "webhook", "url", Redact.url(url), "max_alerts", maxAlerts, "send_resolved", sendResolved);
    }

    @Override
    public String toString() {
      return "Webhook" + view();
    }
  }

  /** Chat robots: Slack incoming webhook, DingTalk, WeCom (企业微信) and Feishu (飞书) bots. */
  record Chat(Kind chat, String url, String secret, String channel, boolean sendResolved, Duration timeout)
      implements Integration {
    enum Kind { SLACK, DINGTALK, WECOM, FEISHU }

    @Override
    public String kind() {
      return chat.name().toLowerCase(java.util.Locale.ROOT) + "_configs";
    }

    @Override
    public Map<String, Object> view() {
      return Map.of("type", chat.name().toLowerCase(java.util.Locale.ROOT), "url", Redact.url(url),
          "send_resolved", sendResolved);
    }

    @Override
    public String toString() {
      return "Chat" + view();
    }
  }

  /** An SMS gateway over HTTP: the body template gets {@code {{to}}} and {@code {{text}}} (JSON- or form-escaped). */
  record Sms(String url, String method, Map<String, String> headers, String body, List<String> to,
      boolean sendResolved, Duration timeout) implements Integration {
    @Override
    public String kind() {
      return "sms_configs";
    }

    @Override
    public Map<String, Object> view() {
      return Map.of("type", "sms", "url", Redact.url(url), "method", method, "to", to, "send_resolved", sendResolved);
    }

    @Override
    public String toString() {
      return "Sms" + view();
    }
  }

  /** Forwards alerts to an existing Alertmanager ({@code POST /api/v2/alerts}); resolutions always go. */
  record Alertmanager(String url, Duration timeout) implements Integration {
    @Override
    public String kind() {
      return "alertmanager_configs";
    }

    @Override
    public boolean sendResolved() {
      return true;
    }

    @Override
    public Map<String, Object> view() {
      return Map.of("type", "alertmanager", "url", Redact.url(url));
    }
  }

  /** Hides credentials and query strings (chat tokens live there) in URLs. */
  final class Redact {
    private Redact() {}

    static String url(String u) {
      try {
        java.net.URI uri = java.net.URI.create(u);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
            + (uri.getPath() == null ? "" : uri.getPath().replaceAll("[A-Za-z0-9_-]{20,}", "<secret>"))
            + (uri.getQuery() == null ? "" : "?<secret>");
      } catch (IllegalArgumentException e) {
        return "<invalid url>";
      }
    }
  }
}
