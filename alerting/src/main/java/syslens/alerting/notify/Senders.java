package syslens.alerting.notify;

import static java.util.Objects.requireNonNull;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import syslens.alerting.notify.Model.Entry;
import syslens.alerting.notify.Model.Notification;

/**
 * Sends one rendered notification through one integration: HTTP receivers with the JDK
 * HttpClient (connect and request timeouts from the integration), mail with Jakarta Mail.
 * Throws {@link DeliveryException} with what the receiver said; never logs secrets.
 */
final class Senders {
  static final int MAX_RESPONSE_SHOWN = 256;

  /** A failed attempt: the message is safe to log; {@code retryable} false for 4xx answers. */
  static final class DeliveryException extends Exception {
    final boolean retryable;

    DeliveryException(String message, boolean retryable) {
      super(message);
      this.retryable = retryable;
    }
  }

  private final HttpClient http;
  private final Clock clock;

  Senders(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  void send(Integration in, Notification n, Templates.Message msg, String externalUrl) throws DeliveryException {
    List<Entry> alerts = in.sendResolved() ? n.alerts() : n.alerts().stream().filter(Entry::firing).toList();
    switch (in) {
      case Integration.Webhook w -> {
        HttpRequest.Builder b = json(w.url(), w, Payloads.webhook(n, alerts, w.maxAlerts(), externalUrl));
        if (w.bearerToken() != null) {
          b.header("Authorization", "Bearer " + w.bearerToken());
        } else if (w.basicUser() != null) {
          b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
              (w.basicUser() + ":" + (w.basicPassword() == null ? "" : w.basicPassword())).getBytes(StandardCharsets.UTF_8)));
        }
        check(b.build(), "webhook", false);
      }
      case Integration.Alertmanager a ->
          check(json(a.url() + "/api/v2/alerts", a, Payloads.alertmanager(n.alerts())).build(), "alertmanager", false);
      case Integration.Chat c -> {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Payloads.chat(c, msg, n.firing()));
        String url = c.url();
        if (c.secret() != null && c.chat() == Integration.Chat.Kind.DINGTALK) {
          long ts = clock.millis();
          url += (url.contains("?") ? "&" : "?") + "timestamp=" + ts + "&sign="
              + Payloads.form(hmac(c.secret(), ts + "\n" + c.secret()));
        } else if (c.secret() != null && c.chat() == Integration.Chat.Kind.FEISHU) {
          long ts = clock.millis() / 1000;
          body.put("timestamp", Long.toString(ts));
          body.put("sign", hmac(ts + "\n" + c.secret(), ""));
        }
        check(json(url, c, body).build(), c.chat().name().toLowerCase(java.util.Locale.ROOT),
            c.chat() != Integration.Chat.Kind.SLACK);
      }
      case Integration.Sms s -> {
        for (String to : s.to()) {
          boolean jsonBody = s.body().stripLeading().startsWith("{")
              || s.headers().entrySet().stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Content-Type")
                  && h.getValue().contains("json"));
          String url = Payloads.sms(s.url(), to, msg.shortText(), false);
          HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(s.timeout());
          s.headers().forEach(b::header);
          if (s.headers().keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
            b.header("Content-Type", jsonBody ? "application/json" : "application/x-www-form-urlencoded");
          }
          b.method(s.method(), s.method().equals("GET") ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(Payloads.sms(s.body(), to, msg.shortText(), jsonBody)));
          check(b.build(), "sms gateway", false);
        }
      }
      case Integration.Email e -> mail(e, msg);
    }
  }

  private static HttpRequest.Builder json(String url, Integration in, Object body) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(in.timeout())
        .header("Content-Type", "application/json")
        .header("User-Agent", "SysLens-Alerting")
        .POST(HttpRequest.BodyPublishers.ofString(NotifyStore.json(body)));
  }

  private void check(HttpRequest req, String what, boolean errcodeInBody) throws DeliveryException {
    HttpResponse<String> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (java.net.http.HttpTimeoutException e) {
      throw new DeliveryException(what + " timed out after " + req.timeout().map(Object::toString).orElse("?"), true);
    } catch (IOException e) {
      throw new DeliveryException(what + " unreachable: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryException(what + " interrupted", true);
    }
    String body = r.body() == null ? "" : r.body();
    String shown = body.length() > MAX_RESPONSE_SHOWN ? body.substring(0, MAX_RESPONSE_SHOWN) + "..." : body;
    if (r.statusCode() / 100 != 2) {
      // Alertmanager retries 5xx and 429, not other 4xx (a bad request stays bad).
      boolean retry = r.statusCode() >= 500 || r.statusCode() == 429;
      throw new DeliveryException(what + " answered HTTP " + r.statusCode() + ": " + shown.strip(), retry);
    }
    if (errcodeInBody && body.startsWith("{")) {
      try {
        var node = NotifyStore.JSON.readTree(body);
        int code = node.has("errcode") ? node.get("errcode").asInt() : node.has("code") ? node.get("code").asInt()
            : node.path("StatusCode").asInt(0);
        if (code != 0) {
          throw new DeliveryException(what + " refused the message: " + shown.strip(), code == -1);
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException ignored) {
        // not JSON: HTTP 2xx is all we know
      }
    }
  }

  private static void mail(Integration.Email e, Templates.Message msg) throws DeliveryException {
    String proto = e.implicitTls() ? "smtps" : "smtp";
    Properties p = new Properties();
    p.put("mail.transport.protocol", proto);
    p.put("mail." + proto + ".host", e.host());
    p.put("mail." + proto + ".port", Integer.toString(e.port()));
    String ms = Long.toString(e.timeout().toMillis());
    p.put("mail." + proto + ".connectiontimeout", ms);
    p.put("mail." + proto + ".timeout", ms);
    p.put("mail." + proto + ".writetimeout", ms);
    p.put("mail." + proto + ".auth", Boolean.toString(e.authUsername() != null));
    if (!e.implicitTls()) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", Boolean.toString(e.requireTls()));
    }
    p.put("mail." + proto + ".ssl.protocols", "TLSv1.3 TLSv1.2");
    if (e.insecureSkipVerify()) {
      p.put("mail." + proto + ".ssl.trust", "*");
      p.put("mail." + proto + ".ssl.checkserveridentity", "false");
    } else {
      p.put("mail." + proto + ".ssl.checkserveridentity", "true");
    }
    try {
      if (e.caFile() != null && !e.insecureSkipVerify()) {
        p.put("mail." + proto + ".ssl.socketFactory", MailTls.socketFactory(e.caFile()));
      }
    } catch (java.security.GeneralSecurityException | ConfigException ex) {
      throw new DeliveryException("smtp " + e.host() + ":" + e.port() + ": tls_config.ca_file: " + ex.getMessage(), false);
    }
    Session session = Session.getInstance(p);
    try {
      MimeMessage m = new MimeMessage(session);
      m.setFrom(new InternetAddress(e.from()));
      for (String to : e.to()) {
        m.addRecipient(RecipientType.TO, new InternetAddress(to));
      }
      m.setSubject(msg.subject(), "UTF-8");
      m.setSentDate(new Date());
      for (Map.Entry<String, String> h : e.headers().entrySet()) {
        m.setHeader(h.getKey(), h.getValue());
      }
      MimeBodyPart text = new MimeBodyPart();
      text.setText(msg.text(), "UTF-8", "plain");
      MimeBodyPart html = new MimeBodyPart();
      html.setText(msg.html(), "UTF-8", "html");
      MimeMultipart alt = new MimeMultipart("alternative", text, html);
      m.setContent(alt);
      try (Transport t = session.getTransport(proto)) {
        t.connect(e.host(), e.port(), e.authUsername(), e.authPassword());
        t.sendMessage(m, m.getAllRecipients());
      }
    } catch (MessagingException ex) {
      Throwable root = ex;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new DeliveryException("smtp " + e.host() + ":" + e.port() + ": " + ex.getMessage()
          + (root != ex ? " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")" : ""), true);
    }
  }

  static String hmac(String key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
