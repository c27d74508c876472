package syslens.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.alerting.notify.TestSupport.Listener;
import syslens.alerting.notify.TestSupport.MutableClock;

/** Chat robots and the SMS gateway, each received by a real HTTP listener. */
class ChannelsTest {
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  @Test
  void send_chatAndSms_documentedShapes() throws Exception {
    try (Listener l = new Listener()) {
      String config = """
          route: {receiver: all, group_wait: 0s}
          receivers:
          - name: all
            language: zh-CN
            slack_configs: [{api_url: '%1$s', channel: '#ops'}]
            dingtalk_configs: [{url: '%2$s', secret: SEC123}]
            wecom_configs: [{url: '%3$s'}]
            feishu_configs: [{url: '%4$s', secret: fsecret}]
            sms_configs: [{url: '%5$s', to: ['+8613800000000'], body: '{"phone":"{{to}}","msg":"{{text}}"}'}]
          """.formatted(l.url("/slack"), l.url("/dingtalk?access_token=abc"), l.url("/wecom?key=k"),
          l.url("/feishu"), l.url("/sms"));
      MutableClock clock = new MutableClock(T0);
      try (Notifier n = Notifier.builder(TestSupport.h2()).clock(clock).initialConfig(config).build()) {
        n.send(List.of(TestSupport.firing(T0, "alertname", "DiskFull", "instance", "db1")));
        n.tick();
        await().atMost(Duration.ofSeconds(10)).until(() -> l.bodies.size() == 5);
      }
      JsonNode slack = body(l, "/slack");
      assertThat(slack.get("channel").asText()).isEqualTo("#ops");
      assertThat(slack.get("text").asText()).startsWith("[告警:1] DiskFull");
      assertThat(slack.get("attachments").get(0).get("color").asText()).isEqualTo("danger");

      int i = indexOf(l, "/dingtalk");
      JsonNode ding = l.json().get(i);
      assertThat(ding.get("msgtype").asText()).isEqualTo("markdown");
      assertThat(ding.get("markdown").get("title").asText()).startsWith("[告警:1]");
      assertThat(ding.get("markdown").get("text").asText()).contains("正在告警（1）");
      String q = l.paths.get(i);
      assertThat(q).contains("access_token=abc").contains("timestamp=").contains("sign=");
      String ts = q.replaceAll(".*timestamp=(\\d+).*", "$1");
      String sign = URLDecoder.decode(q.replaceAll(".*sign=([^&]+).*", "$1"), StandardCharsets.UTF_8);
      assertThat(sign).isEqualTo(Senders.hmac("SEC123", ts + "\nSEC123")); // DingTalk's documented signature
      assertThat(ts).isEqualTo(Long.toString(T0.toEpochMilli()));

      JsonNode wecom = body(l, "/wecom?key=k");
      assertThat(wecom.get("msgtype").asText()).isEqualTo("markdown");
      assertThat(wecom.get("markdown").get("content").asText()).contains("DiskFull");

      JsonNode feishu = body(l, "/feishu");
      assertThat(feishu.get("msg_type").asText()).isEqualTo("text");
      assertThat(feishu.get("content").get("text").asText()).contains("DiskFull");
      assertThat(feishu.get("timestamp").asText()).isEqualTo(Long.toString(T0.getEpochSecond()));
      assertThat(feishu.get("sign").asText()).isEqualTo(Senders.hmac(T0.getEpochSecond() + "\nfsecret", ""));

      JsonNode sms = body(l, "/sms");
      assertThat(sms.get("phone").asText()).isEqualTo("+8613800000000");
      assertThat(sms.get("msg").asText()).isEqualTo("[告警:1] DiskFull instance=db1");
    }
  }

  private static int indexOf(Listener l, String prefix) {
    for (int i = 0; i < l.paths.size(); i++) {
      if (l.paths.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("nothing at " + prefix + " in " + l.paths);
  }

  private static JsonNode body(Listener l, String prefix) {
    return l.json().get(indexOf(l, prefix));
  }
}
