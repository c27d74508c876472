package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.kafka.KafkaBusSettings;

/**
 * The server with {@code --ingest-bus kafka} on a real KRaft broker in this JVM: what ingest
 * acknowledges reaches the embedded store through the topic and this instance's writer; with
 * Kafka unreachable, writes are refused with a reason naming Kafka, {@code /readyz} names the
 * failing dependency and /metrics counts the refusals.
 */
class KafkaIngestBusServerTest {
  @TempDir Path dir;

  @Test
  void importPrometheus_throughKafka_storedAndReady() throws Exception {
    try (KafkaClusterTestKit kafka = broker(dir.resolve("kafka"))) {
      KafkaBusSettings bus = KafkaBusSettings.of(kafka.bootstrapServers()).withTopic("server-samples").withPartitions(4);
      try (TestServer server = new TestServer(dir.resolve("syslens"), Duration.ofSeconds(10), null,
          b -> b.ingestBus(bus))) {
        String admin = server.login();
        long now = System.currentTimeMillis() / 1000 * 1000;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 100; i++) {
          text.append("bus_metric{disk=\"sd").append(i % 4).append("\"} ").append(i).append(' ')
              .append(now - 300_000 + i * 1000L).append('\n');
        }
        HttpResponse<String> r = server.post("/api/v1/import/prometheus", text.toString(), admin);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
          JsonNode q = TestServer.JSON.readTree(server.get("/api/v1/query?query=sum(count_over_time(bus_metric%5B10m%5D))&time="
              + now / 1000, admin).body());
          return q.at("/data/result/0/value/1").asText().equals("100");
        });
        await().atMost(Duration.ofSeconds(15)).until(() -> server.get("/readyz", null).statusCode() == 200);
        JsonNode ready = TestServer.JSON.readTree(server.get("/readyz", null).body());
        assertThat(ready.at("/checks/kafka/status").asText()).isEqualTo("ok");
        assertThat(server.get("/metrics", admin).body())
            .contains("syslens_kafka_published_samples_total 100.0")
            .contains("syslens_kafka_written_samples_total 100.0")
            .contains("syslens_kafka_healthy 1.0");
      }
    }
  }

  @Test
  void importPrometheus_kafkaUnreachable_503NamingKafka() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // nothing listens there once closed
    }
    KafkaBusSettings bus = KafkaBusSettings.of("127.0.0.1:" + port).withPublishTimeout(Duration.ofSeconds(1));
    try (TestServer server = new TestServer(dir.resolve("syslens"), Duration.ofSeconds(10), null,
        b -> b.ingestBus(bus))) {
      String admin = server.login();
      HttpResponse<String> r = server.post("/api/v1/import/prometheus",
          "bus_metric 1 " + System.currentTimeMillis() + "\n", admin);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.body()).contains("kafka: 1 samples not published to topic syslens-samples at 127.0.0.1:" + port);
      await().atMost(Duration.ofSeconds(15)).until(() -> server.get("/readyz", null).statusCode() == 503);
      JsonNode ready = TestServer.JSON.readTree(server.get("/readyz", null).body());
      assertThat(ready.at("/failing").toString()).contains("\"kafka\"");
      assertThat(ready.at("/checks/kafka/reason").asText()).startsWith("kafka: ");
      assertThat(server.get("/metrics", admin).body())
          .contains("syslens_kafka_publish_failures_total 1.0")
          .contains("syslens_kafka_healthy 0.0");
    }
  }

  /** A real single-node KRaft cluster (combined broker and controller) in this JVM. */
  static KafkaClusterTestKit broker(Path dir) throws Exception {
    KafkaClusterTestKit c = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).setBaseDirectory(dir).build())
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("group.min.session.timeout.ms", "1000") // writers in tests may set a short session
        .setConfigProp("offsets.topic.num.partitions", "3")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .build();
    try {
      c.format();
      c.startup();
      c.waitForReadyBrokers();
      return c;
    } catch (Exception e) {
      c.close();
      throw e;
    }
  }
}
