package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import syslens.alerting.notify.Model.Delivery;
import syslens.alerting.notify.TestSupport.MutableClock;

/** Mail through GreenMail (a real SMTP server in-process), in the receiver's or user's language. */
class MailTest {
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  final MutableClock clock = new MutableClock(T0);
  GreenMail mail;

  @BeforeEach
  void setUp() {
    ServerSetup smtp = ServerSetupTest.SMTP.dynamicPort();
    ServerSetup smtps = ServerSetupTest.SMTPS.dynamicPort();
    smtp.setServerStartupTimeout(20_000); // SMTPS builds its certificate on start: slow on a busy machine
    smtps.setServerStartupTimeout(20_000);
    mail = new GreenMail(new ServerSetup[] {smtp, smtps});
    mail.start();
  }

  @AfterEach
  void tearDown() {
    mail.stop();
  }

  private Notifier notifier(String receivers, UserLanguage users) {
    String config = """
        global:
          smtp_from: syslens@example.org
          smtp_require_tls: false
        route:
          receiver: %s
          group_wait: 0s
          routes: [{matchers: ['to="zh"'], receiver: zh}, {matchers: ['to="ja"'], receiver: ja},
                   {matchers: ['to="tls"'], receiver: tls}, {matchers: ['to="starttls"'], receiver: starttls},
                   {matchers: ['to="tpl"'], receiver: tpl}]
        receivers:
        %s
        """.formatted("zh", receivers);
    return Notifier.builder(TestSupport.h2()).clock(clock).initialConfig(config).userLanguage(users)
        .retry(1, Duration.ofMillis(10), Duration.ofMillis(10)).build();
  }

  private String receivers() {
    int smtp = mail.getSmtp().getPort();
    int smtps = mail.getSmtps().getPort();
    return """
        - name: zh
          language: zh-CN
          email_configs: [{to: ops@example.org, smarthost: '127.0.0.1:%1$d', send_resolved: true}]
        - name: ja
          user: kenji
          email_configs: [{to: kenji@example.org, smarthost: '127.0.0.1:%1$d'}]
        - name: tls
          email_configs: [{to: sec@example.org, smarthost: '127.0.0.1:%2$d', tls: true,
                           tls_config: {insecure_skip_verify: true}}]
        - name: starttls
          email_configs: [{to: st@example.org, smarthost: '127.0.0.1:%1$d', require_tls: true}]
        - name: tpl
          templates: {subject: '{{nope}} broken', text: 'x'}
          email_configs: [{to: tpl@example.org, smarthost: '127.0.0.1:%1$d'}]
        """.formatted(smtp, smtps);
  }

  private static String part(MimeMessage m, String type) throws Exception {
    MimeMultipart mp = (MimeMultipart) m.getContent();
    for (int i = 0; i < mp.getCount(); i++) {
      BodyPart p = mp.getBodyPart(i);
      if (p.isMimeType(type)) {
        return (String) p.getContent();
      }
    }
    throw new AssertionError("no " + type + " part");
  }

  @Test
  void mail_receiverLanguageZh_htmlAndTextInChinese_thenRecoveryMail() throws Exception {
    try (Notifier n = notifier(receivers(), UserLanguage.none())) {
      var alert = TestSupport.firing(T0, "alertname", "DiskFull", "instance", "db1", "to", "zh");
      n.send(List.of(alert));
      n.tick();
      await().atMost(Duration.ofSeconds(10)).until(() -> mail.getReceivedMessages().length == 1);
      MimeMessage m = mail.getReceivedMessages()[0];
      assertThat(m.getSubject()).isEqualTo("[告警:1] DiskFull instance=db1 to=zh");
      assertThat(m.getContentType()).startsWith("multipart/alternative");
      assertThat(part(m, "text/plain")).contains("正在告警（1）").contains("开始时间: 2026-11-30T10:00:00Z")
          .contains("summary of DiskFull").contains("由 SysLens 发送");
      assertThat(part(m, "text/html")).contains("<h3>正在告警（1）</h3>").contains("href=\"http://syslens.test/graph\"");
      assertThat(m.getAllRecipients()[0].toString()).isEqualTo("ops@example.org");
      await().until(() -> n.store().pending().isEmpty()); // confirmed: the notification log knows it

      clock.advance(Duration.ofMinutes(1));
      n.send(List.of(TestSupport.resolved(alert, clock.instant())));
      clock.advance(Duration.ofMinutes(5));
      n.tick();
      await().atMost(Duration.ofSeconds(10)).until(() -> mail.getReceivedMessages().length == 2);
      MimeMessage r = mail.getReceivedMessages()[1];
      assertThat(r.getSubject()).startsWith("[已恢复:1]");
      assertThat(part(r, "text/plain")).contains("已恢复（1）").contains("结束时间");
    }
  }

  @Test
  void mail_receiverNamesUser_userLanguageJapanese() throws Exception {
    UserLanguage users = u -> u.equals("kenji") ? Optional.of("ja-JP") : Optional.empty();
    try (Notifier n = notifier(receivers(), users)) {
      n.send(List.of(TestSupport.firing(T0, "alertname", "CpuHigh", "to", "ja")));
      n.tick();
      await().atMost(Duration.ofSeconds(10)).until(() -> mail.getReceivedMessages().length == 1);
      MimeMessage m = mail.getReceivedMessages()[0];
      assertThat(m.getSubject()).startsWith("[発生中:1] CpuHigh");
      assertThat(part(m, "text/plain")).contains("発生中のアラート（1）").contains("SysLens より送信");
    }
  }

  @Test
  void mail_implicitTls_deliveredOverSmtps() throws Exception {
    try (Notifier n = notifier(receivers(), UserLanguage.none())) {
      n.send(List.of(TestSupport.firing(T0, "alertname", "Cert", "to", "tls")));
      n.tick();
      await().atMost(Duration.ofSeconds(10)).until(() -> mail.getReceivedMessages().length == 1);
      assertThat(mail.getReceivedMessages()[0].getSubject()).startsWith("[FIRING:1] Cert");
    }
  }

  @Test
  void mail_requireTlsButServerHasNoStarttls_failsWithClearError() {
    try (Notifier n = notifier(receivers(), UserLanguage.none())) {
      n.send(List.of(TestSupport.firing(T0, "alertname", "Plain", "to", "starttls")));
      n.tick();
      await().atMost(Duration.ofSeconds(10)).until(() -> !n.store().deliveries("starttls", T0, T0.plusSeconds(9), 5).isEmpty());
      Delivery d = n.store().deliveries("starttls", T0, T0.plusSeconds(9), 5).get(0);
      assertThat(d.status()).isEqualTo("failed");
      assertThat(d.error()).containsIgnoringCase("STARTTLS");
      assertThat(mail.getReceivedMessages()).isEmpty();
    }
  }

  @Test
  void mail_templateFails_defaultSubjectSentAndFailureCounted() throws Exception {
    try (Notifier n = notifier(receivers(), UserLanguage.none())) {
      n.send(List.of(TestSupport.firing(T0, "alertname", "Tpl", "to", "tpl")));
      n.tick();
      await().atMost(Duration.ofSeconds(10)).until(() -> mail.getReceivedMessages().length == 1);
      assertThat(mail.getReceivedMessages()[0].getSubject()).isEqualTo("[FIRING:1] Tpl to=tpl");
      assertThat(n.templates().failures()).isEqualTo(1);
    }
  }
}
