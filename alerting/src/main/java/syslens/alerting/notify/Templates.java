package syslens.alerting.notify;

import java.text.MessageFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.alerting.notify.Model.Entry;
import syslens.alerting.notify.Model.Notification;

/**
 * Localized notification texts (en, zh-CN, ja-JP from {@code messages*.properties}): a subject,
 * plain text, HTML for mail and a short line for SMS. A receiver may override subject and text
 * with {@code {{placeholder}}} templates; a template that fails (unknown placeholder, bad syntax)
 * falls back to the default text, is logged and counted in {@link #failures()}, and never drops
 * the notification.
 */
final class Templates {
  private static final Logger log = LoggerFactory.getLogger(Templates.class);
  private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile("\\{\\{\\s*([A-Za-z_.0-9]+)\\s*}}");
  static final int MAX_ALERTS_LISTED = 50;

  /** A rendered message. */
  record Message(String subject, String text, String html, String shortText) {}

  private final AtomicLong failures = new AtomicLong();

  long failures() {
    return failures.get();
  }

  static Locale locale(String language) {
    return switch (language == null ? "en" : language) {
      case "zh-CN" -> Locale.SIMPLIFIED_CHINESE;
      case "ja-JP" -> Locale.JAPAN;
      default -> Locale.ROOT;
    };
  }

  Message render(Notification n, String language, Map<String, String> overrides, String externalUrl) {
    ResourceBundle b = ResourceBundle.getBundle("syslens.alerting.notify.messages", locale(language),
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
    List<Entry> firing = n.alerts().stream().filter(Entry::firing).toList();
    List<Entry> resolved = n.alerts().stream().filter(e -> !e.firing()).toList();
    String status = b.getString(firing.isEmpty() ? "status.resolved" : "status.firing");
    if (n.escalation()) {
      status = b.getString("escalation");
    }
    String summary = summary(n);
    String subject = MessageFormat.format(b.getString("subject"), status, firing.isEmpty() ? resolved.size()
        : firing.size(), summary);
    StringBuilder text = new StringBuilder();
    StringBuilder html = new StringBuilder("<html><body style=\"font-family:sans-serif\">");
    html.append("<h2>").append(esc(subject)).append("</h2>");
    section(b, "heading.firing", firing, text, html);
    section(b, "heading.resolved", resolved, text, html);
    text.append("\n").append(b.getString("footer"));
    if (!externalUrl.isEmpty()) {
      text.append(" - ").append(externalUrl);
    }
    html.append("<p style=\"color:#888\">").append(esc(b.getString("footer"))).append("</p></body></html>");
    String shortText = subject;
    String subj = subject;
    String txt = text.toString();
    if (!overrides.isEmpty()) {
      Map<String, String> vars = vars(n, status, firing.size(), externalUrl);
      subj = apply(overrides.get("subject"), vars, subject, n);
      txt = apply(overrides.get("text"), vars, txt, n);
      shortText = subj;
    }
    return new Message(subj, txt, html.toString(), shortText);
  }

  private String apply(String template, Map<String, String> vars, String fallback, Notification n) {
    if (template == null) {
      return fallback;
    }
    try {
      return expand(template, vars);
    } catch (IllegalArgumentException e) {
      failures.incrementAndGet();
      log.warn("template for receiver {} failed, sending the default text: {}", n.receiver(), e.getMessage());
      return fallback;
    }
  }

  /** Replaces every {{name}}; throws naming the first unknown placeholder or unbalanced braces. */
  static String expand(String template, Map<String, String> vars) {
    java.util.regex.Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = vars.get(m.group(1));
      if (v == null) {
        throw new IllegalArgumentException("unknown placeholder {{" + m.group(1) + "}} (expected: status, count, "
            + "alertname, receiver, externalURL, groupLabels[.name], commonLabels.name, commonAnnotations.name)");
      }
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    if (out.indexOf("{{") >= 0) {
      throw new IllegalArgumentException("unbalanced {{ in template");
    }
    return out.toString();
  }

  private static Map<String, String> vars(Notification n, String status, int count, String externalUrl) {
    Map<String, String> v = new HashMap<>();
    v.put("status", status);
    v.put("count", Integer.toString(count));
    v.put("receiver", n.receiver());
    v.put("externalURL", externalUrl);
    v.put("groupLabels", n.groupLabels().toString());
    n.groupLabels().forEach((k, x) -> v.put("groupLabels." + k, x));
    Map<String, String> common = Payloads.common(n.alerts(), true);
    common.forEach((k, x) -> v.put("commonLabels." + k, x));
    Payloads.common(n.alerts(), false).forEach((k, x) -> v.put("commonAnnotations." + k, x));
    v.put("alertname", common.getOrDefault("alertname", n.alerts().isEmpty() ? "" : n.alerts().get(0).alert().name()));
    return v;
  }

  private static String summary(Notification n) {
    Map<String, String> common = Payloads.common(n.alerts(), true);
    List<String> parts = new ArrayList<>();
    String name = common.get("alertname");
    if (name != null) {
      parts.add(name);
    }
    (n.groupLabels().isEmpty() ? common : n.groupLabels()).forEach((k, v) -> {
      if (!k.equals("alertname")) {
        parts.add(k + "=" + v);
      }
    });
    return parts.isEmpty() ? n.receiver() : String.join(" ", parts);
  }

  private static void section(ResourceBundle b, String heading, List<Entry> entries, StringBuilder text,
      StringBuilder html) {
    if (entries.isEmpty()) {
      return;
    }
    String h = MessageFormat.format(b.getString(heading), entries.size());
    text.append(h).append('\n');
    html.append("<h3>").append(esc(h)).append("</h3><ul>");
    int listed = 0;
    for (Entry e : entries) {
      if (++listed > MAX_ALERTS_LISTED) {
        text.append("...\n");
        html.append("<li>...</li>");
        break;
      }
      var a = e.alert();
      String title = a.annotations().getOrDefault("summary", a.name());
      text.append("- ").append(title).append('\n');
      html.append("<li><b>").append(esc(title)).append("</b><br>");
      String desc = a.annotations().get("description");
      if (desc != null) {
        text.append("  ").append(desc).append('\n');
        html.append(esc(desc)).append("<br>");
      }
      line(b, "labels", a.labels().toString(), text, html);
      line(b, "started", time(a.startsAt()), text, html);
      if (!e.firing()) {
        line(b, "ended", time(a.endsAt()), text, html);
      }
      if (Double.isFinite(a.value())) {
        line(b, "value", Double.toString(a.value()), text, html);
      }
      if (!a.generatorUrl().isEmpty()) {
        text.append("  ").append(b.getString("source")).append(": ").append(a.generatorUrl()).append('\n');
        html.append("<a href=\"").append(esc(a.generatorUrl())).append("\">").append(esc(b.getString("source")))
            .append("</a>");
      }
      html.append("</li>");
    }
    html.append("</ul>");
  }

  private static void line(ResourceBundle b, String key, String value, StringBuilder text, StringBuilder html) {
    text.append("  ").append(b.getString(key)).append(": ").append(value).append('\n');
    html.append(esc(b.getString(key))).append(": ").append(esc(value)).append("<br>");
  }

  private static String time(Instant t) {
    return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
