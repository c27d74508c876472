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
