package syslens.alerting.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import syslens.alerting.Alert;
import syslens.alerting.notify.Model.Entry;
import syslens.alerting.notify.Model.Notification;

/** The JSON bodies receivers expect: Alertmanager's webhook and v2 alerts, chat robots, SMS templates. */
final class Payloads {
  /** Go's zero time: Alertmanager's {@code endsAt} of an alert that has not ended. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private Payloads() {}

  /** Labels (or annotations) equal in every alert of the notification. */
  static Map<String, String> common(List<Entry> alerts, boolean labels) {
    Map<String, String> common = null;
    for (Entry e : alerts) {
      Map<String, String> m = labels ? e.alert().labels().toMap() : e.alert().annotations();
      if (common == null) {
        common = new TreeMap<>(m);
      } else {
        common.entrySet().removeIf(x -> !x.getValue().equals(m.get(x.getKey())));
      }
    }
    return common == null ? Map.of() : common;
  }

  /** Alertmanager's webhook payload, version 4, field for field. */
  static Map<String, Object> webhook(Notification n, List<Entry> alerts, int maxAlerts, String externalUrl) {
    List<Entry> sent = maxAlerts > 0 && alerts.size() > maxAlerts ? alerts.subList(0, maxAlerts) : alerts;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("receiver", n.receiver());
    m.put("status", alerts.stream().anyMatch(Entry::firing) ? "firing" : "resolved");
    List<Map<String, Object>> list = new ArrayList<>();
    for (Entry e : sent) {
      Alert a = e.alert();
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("status", e.firing() ? "firing" : "resolved");
      x.put("labels", new TreeMap<>(a.labels().toMap()));
      x.put("annotations", new TreeMap<>(a.annotations()));
      x.put("startsAt", a.startsAt().toString());
      x.put("endsAt", e.firing() ? ZERO_TIME : a.endsAt().toString());
      x.put("generatorURL", a.generatorUrl());
      x.put("fingerprint", e.fingerprint());
      list.add(x);
    }
    m.put("alerts", list);
    m.put("groupLabels", new TreeMap<>(n.groupLabels()));
    m.put("commonLabels", common(alerts, true));
    m.put("commonAnnotations", common(alerts, false));
    m.put("externalURL", externalUrl);
    m.put("version", "4");
    m.put("groupKey", n.groupKey());
    m.put("truncatedAlerts", alerts.size() - sent.size());
    return m;
  }

  /** The body of Alertmanager's {@code POST /api/v2/alerts}. */
  static List<Map<String, Object>> alertmanager(List<Entry> alerts) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Entry e : alerts) {
      Alert a = e.alert();
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("labels", a.labels().toMap());
      x.put("annotations", a.annotations());
      x.put("startsAt", a.startsAt().toString());
      x.put("endsAt", a.endsAt().toString());
      x.put("generatorURL", a.generatorUrl());
      out.add(x);
    }
    return out;
  }

  static Map<String, Object> chat(Integration.Chat c, Templates.Message msg, boolean firing) {
    String markdown = "### " + msg.subject() + "\n\n" + msg.text();
    Map<String, Object> m = new LinkedHashMap<>();
    switch (c.chat()) {
      case SLACK -> {
        if (c.channel() != null) {
          m.put("channel", c.channel());
        }
        m.put("username", "SysLens");
        m.put("text", msg.subject());
        m.put("attachments", List.of(Map.of("color", firing ? "danger" : "good", "title", msg.subject(),
            "text", msg.text(), "fallback", msg.subject())));
      }
      case DINGTALK -> {
        m.put("msgtype", "markdown");
        m.put("markdown", Map.of("title", msg.subject(), "text", markdown));
      }
      case WECOM -> {
        m.put("msgtype", "markdown");
        m.put("markdown", Map.of("content", markdown));
      }
      case FEISHU -> {
        m.put("msg_type", "text");
        m.put("content", Map.of("text", msg.subject() + "\n" + msg.text()));
      }
      default -> throw new IllegalStateException(c.chat().toString());
    }
    return m;
  }

  /** Fills an SMS gateway template: JSON-escaped in JSON bodies, form-encoded otherwise. */
  static String sms(String template, String to, String text, boolean json) {
    return template.replace("{{to}}", json ? jsonEscape(to) : form(to))
        .replace("{{text}}", json ? jsonEscape(text) : form(text));
  }

  static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String jsonEscape(String s) {
    String q = NotifyStore.json(s);
    return q.substring(1, q.length() - 1);
  }
}
