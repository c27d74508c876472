package syslens.alerting.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import syslens.alerting.Alert;
import syslens.storage.Labels;

/** Shared test parts: an H2 database, a hand-moved clock, a real HTTP listener on loopback. */
final class TestSupport {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger DBS = new AtomicInteger();

  private TestSupport() {}

  static DataSource h2() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:notify" + DBS.incrementAndGet() + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    return ds;
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static Alert firing(Instant startsAt, String... labels) {
    return new Alert(Labels.of(labels), Map.of("summary", "summary of " + Labels.of(labels).get("alertname")),
        startsAt, startsAt.plus(Duration.ofHours(1)), "http://syslens.test/graph", 42.0);
  }

  static Alert resolved(Alert a, Instant endsAt) {
    return new Alert(a.labels(), a.annotations(), a.startsAt(), endsAt, a.generatorUrl(), a.value());
  }

  /** AES-256-GCM like the server's master-key cipher, with a test key. */
  static final class TestCipher implements SecretCipher {
    private final javax.crypto.spec.SecretKeySpec key;

    TestCipher(byte fill) {
      byte[] k = new byte[32];
      java.util.Arrays.fill(k, fill);
      this.key = new javax.crypto.spec.SecretKeySpec(k, "AES");
    }

    @Override
    public String seal(String plaintext) {
      try {
        byte[] nonce = new byte[12];
        new java.security.SecureRandom().nextBytes(nonce);
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, nonce));
        byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        byte[] all = java.nio.ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array();
        return "v1:" + java.util.Base64.getUrlEncoder().encodeToString(all);
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public String open(String sealed) {
      try {
        byte[] all = java.util.Base64.getUrlDecoder().decode(sealed.substring(3));
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        c.init(javax.crypto.Cipher.DECRYPT_MODE, key, new javax.crypto.spec.GCMParameterSpec(128, all, 0, 12));
        return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
      } catch (javax.crypto.AEADBadTagException e) {
        throw new IllegalArgumentException("sealed secret: altered, or sealed with another master key");
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A real HTTP server on 127.0.0.1 recording every request body; the status and delay are settable. */
  static final class Listener implements AutoCloseable {
    final HttpServer server;
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> paths = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>(); // "" when the header was absent
    volatile IntSupplier status = () -> 200;
    volatile CountDownLatch hold; // when set, requests wait on it (a receiver that hangs)

    Listener() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(Executors.newCachedThreadPool());
      server.createContext("/", ex -> {
        byte[] body = ex.getRequestBody().readAllBytes();
        CountDownLatch h = hold;
        if (h != null) {
          try {
            h.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        int code = status.getAsInt();
        if (code / 100 == 2) {
          bodies.add(new String(body, StandardCharsets.UTF_8));
          paths.add(ex.getRequestURI().toString());
          String auth = ex.getRequestHeaders().getFirst("Authorization");
          authorizations.add(auth == null ? "" : auth);
        }
        byte[] out = (code / 100 == 2 ? "{\"errcode\":0}" : "boom").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, out.length);
        ex.getResponseBody().write(out);
        ex.close();
      });
      server.start();
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<JsonNode> json() {
      List<JsonNode> out = new ArrayList<>();
      for (String b : bodies) {
        try {
          out.add(JSON.readTree(b));
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }
      return out;
    }

    @Override
    public void close() {
      CountDownLatch h = hold;
      if (h != null) {
        h.countDown();
      }
      server.stop(0);
    }
  }
}
