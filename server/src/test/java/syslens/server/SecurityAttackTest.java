package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attacks measured against the first landed server, each one refused now. */
class SecurityAttackTest {
  static final int FLOODERS = 16;
  @TempDir static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(dir, Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A token signed with the server's own key for a user that does not exist. */
  @Test
  void api_validlySignedTokenForUnknownUser_is401() throws Exception {
    byte[] key = Base64.getUrlDecoder().decode(Files.readString(dir.resolve("secrets/jwt-key")).trim());
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("syslens").subject("ghost").claim("role", "admin")
        .claim("uid", 999L).claim("ver", 0L).claim("sid", "nosuchsession")
        .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(3600))).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(key));
    assertThat(server.get("/api/v1/nodes", jwt.serialize()).statusCode()).isEqualTo(401);
    assertThat(server.get("/metrics", jwt.serialize()).statusCode()).isEqualTo(401);
  }

  /**
   * JWT attacks and dead users' tokens: each refused (401) and audited as {@code
   * auth.token_rejected} with its reason, the claimed user and the source address.
   */
  @Test
  void tokens_algNoneWrongKeyExpiredTamperedDeletedUser_refusedAndAuditedWithReason() throws Exception {
    String admin = server.login();
    byte[] key = Base64.getUrlDecoder().decode(Files.readString(dir.resolve("secrets/jwt-key")).trim());
    JWTClaimsSet live = new JWTClaimsSet.Builder().issuer("syslens").subject("admin").claim("uid", 1L)
        .claim("ver", 0L).claim("sid", "s").expirationTime(Date.from(Instant.now().plusSeconds(600))).build();
    String none = new com.nimbusds.jwt.PlainJWT(live).serialize();
    SignedJWT wrongKey = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), live);
    wrongKey.sign(new MACSigner("another-key-another-key-another-key!".getBytes(StandardCharsets.UTF_8)));
    SignedJWT expired = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder(live)
        .expirationTime(Date.from(Instant.now().minusSeconds(5))).build());
    expired.sign(new MACSigner(key));
    String[] parts = admin.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("\"sub\":\"admin\"", "\"sub\":\"root\"");
    String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertThat(server.post("/api/v1/users", "{\"username\":\"gone\",\"password\":\"Attack-passw0rd-long\","
        + "\"role\":\"operator\",\"mustChangePassword\":false}", admin).statusCode()).isEqualTo(201);
    String gone = TestServer.JSON.readTree(server.post("/api/v1/auth/login",
        "{\"username\":\"gone\",\"password\":\"Attack-passw0rd-long\"}", null).body()).path("token").asText();
    assertThat(server.delete("/api/v1/users/gone", admin).statusCode()).isEqualTo(200);
    for (String t : List.of(none, wrongKey.serialize(), expired.serialize(), tampered, gone)) {
      assertThat(server.get("/api/v1/nodes", t).statusCode()).isEqualTo(401);
    }
    String audit = server.get("/api/v1/audit?action=auth.token_rejected&limit=1000", admin).body();
    // One record per source, action and reason per minute: the tampered token's bad_signature may be
    // folded into an earlier one from this address (tokens_floodOfForgedTokens_auditGrowthBounded).
    assertThat(audit).contains("reason: alg_none", "reason: bad_signature", "reason: expired", "reason: unknown_user",
        "claimed user \\\"gone\\\"", "\"source\":\"127.0.0.1\"");
  }

  /** A flood of forged tokens from one address leaves one audit record per minute, not one per request. */
  @Test
  void tokens_floodOfForgedTokens_auditGrowthBounded() throws Exception {
    String admin = server.login();
    SignedJWT forged = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().issuer("syslens")
        .subject("flood").expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
    forged.sign(new MACSigner("flood-key-flood-key-flood-key-flood-key!".getBytes(StandardCharsets.UTF_8)));
    int before = floodRecords(admin);
    for (int i = 0; i < 100; i++) {
      assertThat(server.get("/api/v1/nodes", forged.serialize()).statusCode()).isEqualTo(401);
    }
    assertThat(floodRecords(admin) - before).isBetween(0, 1);
    assertThat(floodRecords(admin)).isEqualTo(1);
  }

  private static int floodRecords(String admin) throws Exception {
    int n = 0;
    for (var e : TestServer.JSON.readTree(server.get("/api/v1/audit?action=auth.token_rejected&limit=1000", admin)
        .body()).path("data")) {
      n += e.path("detail").asText().contains("claimed user \"flood\"") ? 1 : 0;
    }
    return n;
  }

  /** A body over the route's limit: 413 naming the limit, audited as request.too_large. */
  @Test
  void body_overLimit_413NamingLimitAndAudited() throws Exception {
    String admin = server.login();
    String r = rawPost("/api/v1/silences", "{\"comment\":\"" + "x".repeat(2 << 20) + "\"}", admin);
    assertThat(r).startsWith("HTTP/1.1 413").contains("expected: at most 1048576 bytes");
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.get(
        "/api/v1/audit?action=request.too_large&limit=100", admin).body().contains("/api/v1/silences"));
  }

  /** Wrong logins from many loopback addresses at once while the admin logs in from its usual one. */
  @Test
  void login_floodFromManyAddresses_adminStillLogsIn() throws Exception {
    server.login(); // the admin's address has logged in before
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger sent = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(FLOODERS);
    for (int t = 0; t < FLOODERS; t++) {
      int thread = t;
      pool.execute(() -> {
        int i = 0;
        while (!stop.get()) {
          i++;
          String from = "127." + (10 + thread) + "." + (i / 250 % 250) + "." + (1 + i % 250);
          String user = i % 2 == 0 ? "admin" : "user" + i;
          try {
            rawLogin(from, user, "wrong-password-" + i);
            sent.incrementAndGet();
          } catch (Exception e) {
            // a refused connection is fine; keep flooding
          }
        }
      });
    }
    try {
      await(() -> sent.get() >= 40);
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        statuses.add(server.post("/api/v1/auth/login", "{\"username\":\"admin\",\"password\":\""
            + TestServer.PASSWORD + "\"}", null).statusCode());
      }
      assertThat(statuses).as("admin logins during the flood (" + sent.get() + " flood requests)")
          .containsOnly(200);
    } finally {
      stop.set(true);
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void dataDirectory_isOwnerOnly() throws Exception {
    assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    List<String> loose = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dir)) {
      all.forEach(p -> {
        try {
          String want = Files.isDirectory(p) ? "rwx------" : "rw-------";
          String got = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
          boolean createdLaterInsideTsdb = dir.relativize(p).startsWith("tsdb") && !Files.isDirectory(p);
          if (!got.equals(want) && !createdLaterInsideTsdb) {
            loose.add(dir.relativize(p) + " " + got);
          }
        } catch (java.io.IOException e) {
          // removed meanwhile
        }
      });
    }
    assertThat(loose).isEmpty();
    assertThat(Files.getPosixFilePermissions(dir.resolve("meta/syslens.mv.db")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(dir.resolve("tsdb")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met in 60 s");
      }
      Thread.sleep(20);
    }
  }

  /** A POST over plain HTTP/1.1 that keeps going when the server answers before the body is sent; the whole answer. */
  static String rawPost(String path, String body, String token) throws Exception {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: "
          + "Bearer " + token + "\r\nConnection: close\r\nContent-Length: " + b.length + "\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8));
      try {
        out.write(b);
        out.flush();
      } catch (java.io.IOException e) {
        // the server answered and closed early: read what it said
      }
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** POST /api/v1/auth/login over plain HTTP from a chosen loopback source address. */
  static int rawLogin(String from, String user, String password) throws Exception {
    String body = "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Connection: close\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      in.readAllBytes();
      return Integer.parseInt(head.substring(9, 12));
    }
  }
}
