package syslens.alerting.notify;

import static syslens.alerting.notify.ConfigParser.duration;
import static syslens.alerting.notify.ConfigParser.known;
import static syslens.alerting.notify.ConfigParser.object;
import static syslens.alerting.notify.ConfigParser.str;
import static syslens.alerting.notify.ConfigParser.strings;
import static syslens.alerting.notify.ConfigParser.url;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses one entry of a receiver's {@code *_configs} lists into an {@link Integration}. */
final class Integrations {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private Integrations() {}

  static Integration parse(String kind, JsonNode n, String f, JsonNode global) {
    object(n, f);
    Duration timeout = duration(n, "timeout", f, DEFAULT_TIMEOUT);
    if (timeout.isZero() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new ConfigException(f + ".timeout", timeout + " (expected: > 0 and <= 5m)");
    }
    return switch (kind) {
      case "email_configs" -> email(n, f, global, timeout);
      case "webhook_configs" -> {
        known(n, f + ".", Set.of("url", "max_alerts", "send_resolved", "http_config", "timeout"));
        JsonNode http = n.path("http_config");
        if (http.isObject()) {
          known(http, f + ".http_config.", Set.of("bearer_token", "basic_auth"));
        }
        int max = n.path("max_alerts").asInt(0);
        if (max < 0) {
          throw new ConfigException(f + ".max_alerts", max + " (expected: >= 0, 0 = all)");
        }
        yield new Integration.Webhook(url(n, "url", f, null), max, str(http, "bearer_token", null),
            str(http.path("basic_auth"), "username", null), str(http.path("basic_auth"), "password", null),
            n.path("send_resolved").asBoolean(true), timeout);
      }
      case "slack_configs", "dingtalk_configs", "wecom_configs", "feishu_configs" -> {
        known(n, f + ".", Set.of("api_url", "url", "secret", "channel", "send_resolved", "timeout"));
        Integration.Chat.Kind k = Integration.Chat.Kind.valueOf(
            kind.substring(0, kind.indexOf('_')).toUpperCase(java.util.Locale.ROOT));
        String field = n.has("api_url") ? "api_url" : "url";
        String dflt = k == Integration.Chat.Kind.SLACK ? str(global, "slack_api_url", null) : null;
        yield new Integration.Chat(k, url(n, field, f, dflt), str(n, "secret", null), str(n, "channel", null),
            n.path("send_resolved").asBoolean(false), timeout);
      }
      case "sms_configs" -> {
        known(n, f + ".", Set.of("url", "method", "headers", "body", "to", "send_resolved", "timeout"));
        String method = str(n, "method", "POST").toUpperCase(java.util.Locale.ROOT);
        if (!Set.of("GET", "POST", "PUT").contains(method)) {
          throw new ConfigException(f + ".method", "\"" + method + "\" (expected: GET, POST or PUT)");
        }
        List<String> to = strings(n.path("to"), f + ".to");
        if (to.isEmpty()) {
          throw new ConfigException(f + ".to", "empty (expected: at least one phone number)");
        }
        String body = str(n, "body", method.equals("GET") ? "" : "{\"to\":\"{{to}}\",\"text\":\"{{text}}\"}");
        yield new Integration.Sms(url(n, "url", f, null), method, headers(n, f), body, to,
            n.path("send_resolved").asBoolean(false), timeout);
      }
      case "alertmanager_configs" -> {
        known(n, f + ".", Set.of("url", "timeout"));
        String u = url(n, "url", f, null);
        yield new Integration.Alertmanager(u.endsWith("/") ? u.substring(0, u.length() - 1) : u, timeout);
      }
      default -> throw new ConfigException(f, "unsupported integration " + kind);
    };
  }

  private static Integration email(JsonNode n, String f, JsonNode g, Duration timeout) {
    known(n, f + ".", Set.of("to", "from", "smarthost", "auth_username", "auth_password", "require_tls", "tls",
        "tls_config", "headers", "send_resolved", "hello", "timeout"));
    List<String> to = strings(n.path("to"), f + ".to");
    if (to.size() == 1 && to.get(0).contains(",")) {
      to = List.of(to.get(0).split("\\s*,\\s*"));
    }
    if (to.isEmpty()) {
      throw new ConfigException(f + ".to", "missing (expected: one or more addresses)");
    }
    for (String a : to) {
      if (!a.matches("[^@\\s]+@[^@\\s]+")) {
        throw new ConfigException(f + ".to", "\"" + a + "\" (expected: an e-mail address)");
      }
    }
    String from = str(n, "from", str(g, "smtp_from", null));
    if (from == null) {
      throw new ConfigException(f + ".from", "missing (expected: a sender address, or global.smtp_from)");
    }
    String smarthost = str(n, "smarthost", str(g, "smtp_smarthost", null));
    int colon = smarthost == null ? -1 : smarthost.lastIndexOf(':');
    int port;
    try {
      port = colon < 0 ? -1 : Integer.parseInt(smarthost.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port <= 0 || port > 65535) {
      throw new ConfigException(f + ".smarthost", "\"" + smarthost + "\" (expected: host:port, or global.smtp_smarthost)");
    }
    boolean requireTls = n.has("require_tls") ? n.get("require_tls").asBoolean()
        : g.path("smtp_require_tls").asBoolean(true);
    boolean implicit = n.path("tls").asBoolean(port == 465);
    JsonNode tls = n.path("tls_config");
    if (!tls.isMissingNode()) {
      object(tls, f + ".tls_config");
      known(tls, f + ".tls_config.", Set.of("ca_file", "insecure_skip_verify"));
    }
    String caFile = str(tls, "ca_file", null);
    if (caFile != null) {
      MailTls.trustedCertificates(caFile, f + ".tls_config.ca_file"); // refuse an unreadable file now, not at send time
    }
    return new Integration.Email(to, from, smarthost.substring(0, colon), port,
        str(n, "auth_username", str(g, "smtp_auth_username", null)),
        str(n, "auth_password", str(g, "smtp_auth_password", null)), requireTls, implicit,
        tls.path("insecure_skip_verify").asBoolean(false), caFile, headers(n, f),
        n.path("send_resolved").asBoolean(false), timeout);
  }

  private static Map<String, String> headers(JsonNode n, String f) {
    Map<String, String> h = new LinkedHashMap<>();
    JsonNode hs = n.path("headers");
    if (!hs.isMissingNode() && !hs.isObject()) {
      throw new ConfigException(f + ".headers", "not a mapping (expected: name: value)");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = hs.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().matches("[A-Za-z0-9-]{1,64}") || e.getValue().asText().contains("\n")) {
        throw new ConfigException(f + ".headers." + e.getKey(), "invalid header (expected: a token name, one-line value)");
      }
      h.put(e.getKey(), e.getValue().asText());
    }
    return Map.copyOf(h);
  }
}
