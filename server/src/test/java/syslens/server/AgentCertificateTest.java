package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.agent.Agent;
import syslens.agent.AgentBuilder;
import syslens.agent.v1.AgentMessage;
import syslens.agent.v1.AgentServiceGrpc;
import syslens.agent.v1.Hello;
import syslens.agent.v1.Reject;
import syslens.agent.v1.ServerMessage;

/**
 * Agent identities over mutual TLS (docs/adr/0006-agent-certificates.md), with a real server and
 * in-process agents: enrolment with an admin-made token, restart with the stored certificate,
 * a certificate used for another node id, revocation, and the token rules.
 */
class AgentCertificateTest {
  @TempDir static Path dir;
  static TestServer server;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir.resolve("server"), Duration.ofMillis(500));
    admin = server.login();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String newToken(boolean oneTime, long ttlSeconds) throws Exception {
    var r = server.post("/api/v1/enrollment-tokens", "{\"name\":\"test\",\"oneTime\":" + oneTime
        + ",\"ttlSeconds\":" + ttlSeconds + "}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return TestServer.JSON.readTree(r.body()).path("data").path("token").asText();
  }

  static AgentBuilder agent(String nodeId, Path state, String token) {
    AgentBuilder b = Agent.builder().server("localhost", server.port()).caFile(server.server.tls().caCertFile())
        .nodeId(nodeId).stateDir(state).interval(Duration.ofMillis(500)).heartbeatInterval(Duration.ofMillis(200))
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200));
    return token == null ? b : b.enrollmentToken(token);
  }

  static boolean connected(Agent a) {
    return a.state() == syslens.agent.AgentState.CONNECTED;
  }

  static JsonNode certificates(String node) throws Exception {
    return TestServer.JSON.readTree(server.get("/api/v1/node-certificates?node=" + node, admin).body()).path("data");
  }

  static String audit() throws Exception {
    return server.get("/api/v1/audit?limit=1000", admin).body();
  }

  @Test
  void enroll_oneTimeToken_certificateIssuedKeyKeptPrivate_restartNeedsNoToken() throws Exception {
    Path state = dir.resolve("a1");
    String serial;
    try (Agent a = agent("cert-node-1", state, newToken(true, 3600)).build()) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.clientCertificate() != null && connected(a));
      X509Certificate cert = a.clientCertificate();
      serial = cert.getSerialNumber().toString(16);
      assertThat(cert.getSubjectAlternativeNames()).anySatisfy(san ->
          assertThat(san.get(1)).isEqualTo("urn:syslens:node:cert-node-1"));
      assertThat(cert.getIssuerX500Principal()).isEqualTo(server.server.tls().caCertificate().getSubjectX500Principal());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("node.key"))))
          .isEqualTo("rw-------");
      assertThat(Files.readString(state.resolve("node.key"))).contains("BEGIN PRIVATE KEY");
      JsonNode listed = certificates("cert-node-1");
      assertThat(listed).hasSize(1);
      assertThat(listed.get(0).path("serial").asText()).isEqualTo(serial);
      // Samples arrive over the mutual-TLS stream.
      await().atMost(Duration.ofSeconds(20)).until(() -> server.get("/api/v1/query?query="
          + TestServer.enc("up{node=\"cert-node-1\"}"), admin).body().contains("cert-node-1"));
    }
    // Restart: no token, the stored certificate is enough, and no new certificate is issued.
    try (Agent again = agent("cert-node-1", state, null).build()) {
      again.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> connected(again));
      assertThat(again.clientCertificate().getSerialNumber().toString(16)).isEqualTo(serial);
      assertThat(certificates("cert-node-1")).hasSize(1);
    }
    assertThat(audit()).contains("node.enrolled", "client certificate issued");
  }

  /** The one port asks for client certificates but browsers and API clients present none. */
  @Test
  void https_clientWithoutCertificate_isServed() throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", server.server.tls().caCertificate());
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    var client = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
    var r = client.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("https://localhost:" + server.port() + "/healthz")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void enroll_oneTimeTokenUsedTwice_secondRefusedAndAudited() throws Exception {
    String token = newToken(true, 3600);
    try (Agent first = agent("once-1", dir.resolve("o1"), token).build()) {
      first.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> first.clientCertificate() != null);
    }
    try (Agent second = agent("once-2", dir.resolve("o2"), token).build()) {
      second.start();
      assertThat(second.awaitStopped(Duration.ofSeconds(20))).isTrue();
      assertThat(second.state()).isEqualTo(syslens.agent.AgentState.STOPPED_FATAL);
      assertThat(second.clientCertificate()).isNull();
    }
    assertThat(audit()).contains("was already used");
  }

  @Test
  void enroll_expiredToken_refused() throws Exception {
    var r = server.post("/api/v1/enrollment-tokens", "{\"name\":\"short\",\"oneTime\":false,\"ttlSeconds\":1}", admin);
    JsonNode data = TestServer.JSON.readTree(r.body()).path("data");
    long expiresAt = data.path("expiresAt").asLong();
    await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > expiresAt);
    try (Agent a = agent("late-node", dir.resolve("late"), data.path("token").asText()).build()) {
      a.start();
      assertThat(a.awaitStopped(Duration.ofSeconds(20))).isTrue();
      assertThat(a.clientCertificate()).isNull();
    }
    assertThat(audit()).contains("expired");
  }

  @Test
  void connect_certificateOfAnotherNode_refusedAndAudited() throws Exception {
    Path state = dir.resolve("thief");
    try (Agent a = agent("honest-node", state, newToken(true, 3600)).build()) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.clientCertificate() != null && connected(a));
    }
    // The holder of honest-node's key and certificate tries to write as victim-node.
    ManagedChannel ch = mtlsChannel(state);
    try {
      StreamObserverInbox inbox = new StreamObserverInbox();
      StreamObserver<AgentMessage> out = AgentServiceGrpc.newStub(ch).connect(inbox);
      out.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setNodeId("victim-node")
          .setHostname("evil").setAgentVersion("test")).build());
      inbox.end.get(10, TimeUnit.SECONDS);
      Reject reject = inbox.messages.get(0).getReject();
      assertThat(reject.getFatal()).isTrue();
      assertThat(reject.getCode()).isEqualTo(Reject.Code.UNAUTHENTICATED);
      assertThat(reject.getReason()).contains("is for node honest-node, not victim-node");
      assertThat(inbox.messages).noneMatch(ServerMessage::hasAck);
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertThat(audit()).contains("node.identity_mismatch");
    assertThat(server.get("/api/v1/nodes", admin).body()).doesNotContain("victim-node");
  }

  @Test
  void revoke_certificate_closesStreamAtOnceAndCannotReconnect() throws Exception {
    Path state = dir.resolve("rev");
    String serial;
    try (Agent a = agent("revoked-node", state, newToken(false, 3600)).build()) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.clientCertificate() != null && connected(a));
      serial = a.clientCertificate().getSerialNumber().toString(16);
      var r = server.post("/api/v1/node-certificates/" + serial + "/revoke", "", admin);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      // The open stream is refused at once (it was authenticated by that very certificate).
      assertThat(a.awaitStopped(Duration.ofSeconds(10))).isTrue();
    }
    try (Agent again = agent("revoked-node", state, null).build()) {
      again.start();
      assertThat(again.awaitStopped(Duration.ofSeconds(20))).isTrue();
      assertThat(connected(again)).isFalse();
    }
    assertThat(certificates("revoked-node").get(0).path("revokedAt").isNull()).isFalse();
    assertThat(audit()).contains("node.certificate_revoked", "certificate " + serial + " revoked");
  }

  @Test
  void renew_beforeExpiry_newCertificateUsed() throws Exception {
    ShiftedClock clock = new ShiftedClock();
    Path state = dir.resolve("renew");
    try (Agent a = agent("renew-node", state, newToken(true, 3600)).clock(clock).build()) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.clientCertificate() != null && connected(a));
      String first = a.clientCertificate().getSerialNumber().toString(16);
      clock.shift = Duration.ofDays(61); // less than a third of 90 days left
      await().atMost(Duration.ofSeconds(20)).until(() -> connected(a)
          && !a.clientCertificate().getSerialNumber().toString(16).equals(first));
      clock.shift = Duration.ZERO;
      assertThat(certificates("renew-node")).hasSize(2);
      assertThat(audit()).contains("node.certificate_renewed");
    }
  }

  @Test
  void enroll_agentWithLegacySecret_exchangesItForACertificate_secretStopsWorking() throws Exception {
    // An agent of the previous version enrolled with the shared token and got a secret.
    StreamObserverInbox first = new StreamObserverInbox();
    ManagedChannel plain = NettyChannelBuilder.forAddress("localhost", server.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(server.server.tls().caCertFile().toFile()).build()).build();
    String secret;
    try {
      StreamObserver<AgentMessage> out = AgentServiceGrpc.newStub(plain).connect(first);
      out.onNext(hello(hello("legacy-node").setEnrollmentToken(TestServer.TOKEN)));
      await().atMost(Duration.ofSeconds(10)).until(() -> first.messages.stream().anyMatch(ServerMessage::hasConfig));
      secret = first.messages.get(0).getEnrolled().getNodeSecret();
      assertThat(secret).isNotEmpty();
      out.onCompleted();
      first.end.get(10, TimeUnit.SECONDS);
    } finally {
      plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    // The new agent finds that secret in its state directory and moves to a certificate.
    Path state = dir.resolve("legacy");
    Files.createDirectories(state);
    Files.writeString(state.resolve("node-credential"), "legacy-node " + secret + "\n");
    try (Agent a = agent("legacy-node", state, null).build()) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.clientCertificate() != null && connected(a));
    }
    assertThat(certificates("legacy-node")).hasSize(1);
    StreamObserverInbox replay = new StreamObserverInbox();
    ManagedChannel again = NettyChannelBuilder.forAddress("localhost", server.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(server.server.tls().caCertFile().toFile()).build()).build();
    try {
      AgentServiceGrpc.newStub(again).connect(replay).onNext(hello(hello("legacy-node").setNodeSecret(secret)));
      replay.end.get(10, TimeUnit.SECONDS);
      assertThat(replay.messages.get(0).getReject().getCode()).isEqualTo(Reject.Code.UNAUTHENTICATED);
    } finally {
      again.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static AgentMessage hello(Hello.Builder h) {
    return AgentMessage.newBuilder().setHello(h).build();
  }

  static Hello.Builder hello(String nodeId) {
    return Hello.newBuilder().setNodeId(nodeId).setHostname(nodeId).setAgentVersion("test");
  }

  /** The system clock, shifted by a test. */
  static final class ShiftedClock extends Clock {
    volatile Duration shift = Duration.ZERO;

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(shift);
    }
  }

  static final class StreamObserverInbox implements StreamObserver<ServerMessage> {
    final java.util.List<ServerMessage> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.concurrent.CompletableFuture<Void> end = new java.util.concurrent.CompletableFuture<>();

    @Override
    public void onNext(ServerMessage m) {
      messages.add(m);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(null);
    }

    @Override
    public void onCompleted() {
      end.complete(null);
    }
  }

  /** A raw gRPC channel presenting the key and certificate an agent stored in {@code state}. */
  static ManagedChannel mtlsChannel(Path state) throws Exception {
    String keyPem = Files.readString(state.resolve("node.key"), StandardCharsets.US_ASCII);
    String certPem = Files.readString(state.resolve("node.crt"), StandardCharsets.US_ASCII);
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pem(keyPem, "PRIVATE KEY")));
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem(certPem, "CERTIFICATE")));
    return NettyChannelBuilder.forAddress("localhost", server.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(server.server.tls().caCertFile().toFile())
            .keyManager(key, cert).build())
        .build();
  }

  static byte[] pem(String text, String type) {
    String begin = "-----BEGIN " + type + "-----";
    int b = text.indexOf(begin) + begin.length();
    return Base64.getMimeDecoder().decode(text.substring(b, text.indexOf("-----END " + type + "-----")));
  }
}
