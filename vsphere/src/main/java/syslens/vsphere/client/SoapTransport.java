package syslens.vsphere.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * One vCenter's HTTP side: TLS (system CAs or a pinned certificate), at most
 * {@code maxConcurrency} calls in flight, a deadline on every call (headers and body), a size
 * limit on every response, and retries with exponential backoff for transport failures and
 * 502/503/504. SOAP faults are parsed and thrown as {@link VimFaultException}, never retried here.
 */
final class SoapTransport implements AutoCloseable {
  /** A parsed response: the element inside soapenv:Body, and the session cookie if one was set. */
  record Response<T>(T body, String sessionCookie) {}

  /**
   * Reads the response element inside soapenv:Body: called with the reader on its START_ELEMENT,
   * returns with the reader on its END_ELEMENT.
   */
  interface BodyReader<T> {
    T read(XMLStreamReader r) throws XMLStreamException, IOException;
  }

  static final BodyReader<Xml> TREE = Xml::readElement;

  static final String SESSION_COOKIE = "vmware_soap_session";

  private final VimClientConfig config;
  private final HttpClient http;
  private final Semaphore permits;
  private final ScheduledExecutorService deadlines;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  SoapTransport(VimClientConfig config) {
    this.config = config;
    this.permits = new Semaphore(config.maxConcurrency(), true);
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.timeout())
        .followRedirects(HttpClient.Redirect.NEVER);
    if (config.pinnedSha256() != null) {
      b.sslContext(pinnedContext(config.pinnedSha256()));
    }
    this.http = b.build();
    this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vsphere-deadlines-" + config.url().getHost());
      t.setDaemon(true);
      return t;
    });
  }

  long calls() {
    return calls.get();
  }

  long retries() {
    return retries.get();
  }

  Response<Xml> call(String method, String envelope, String cookie) {
    return call(method, envelope, cookie, TREE);
  }

  <T> Response<T> call(String method, String envelope, String cookie, BodyReader<T> reader) {
    VimException last = null;
    for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
      if (attempt > 0) {
        retries.incrementAndGet();
        sleepBackoff(attempt);
      }
      try {
        return once(method, envelope, cookie, reader);
      } catch (RetryableException e) {
        last = new VimException(method + " to " + config.url() + " failed after "
            + (attempt + 1) + " attempt(s): " + e.getMessage(), e.getCause());
      }
    }
    throw last;
  }

  private void sleepBackoff(int attempt) {
    long ms = config.backoff().toMillis() << Math.min(attempt - 1, 10);
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VimException("interrupted while backing off");
    }
  }

  private <T> Response<T> once(String method, String envelope, String cookie, BodyReader<T> reader) {
    HttpRequest.Builder rb = HttpRequest.newBuilder(config.url())
        .timeout(config.timeout())
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("SOAPAction", "urn:vim25/6.5")
        .POST(HttpRequest.BodyPublishers.ofString(envelope, StandardCharsets.UTF_8));
    if (cookie != null) {
      rb.header("Cookie", SESSION_COOKIE + "=" + cookie);
    }
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VimException(method + ": interrupted waiting for a connection slot");
    }
    calls.incrementAndGet();
    long deadlineNanos = System.nanoTime() + config.timeout().toNanos();
    try {
      HttpResponse<InputStream> resp;
      try {
        resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new VimException(method + ": interrupted", e);
      } catch (HttpTimeoutException e) {
        throw new RetryableException("no response within " + config.timeout(), e);
      } catch (IOException e) {
        if (isTlsTrustFailure(e)) {
          throw new VimException(method + " to " + config.url() + ": TLS verification failed: " + rootMessage(e), e);
        }
        throw new RetryableException(e instanceof ConnectException ? "connection refused" : rootMessage(e), e);
      }
      int status = resp.statusCode();
      long remaining = Math.max(1, deadlineNanos - System.nanoTime());
      try (InputStream body = BoundedInputStream.builder().setInputStream(resp.body())
          .setMaxCount(config.maxResponseBytes() + 1)
          .setOnMaxCount((limit, count) -> {
            throw new LimitExceeded();
          }).get()) {
        ScheduledFuture<?> killer = deadlines.schedule(() -> closeQuietly(body), remaining, TimeUnit.NANOSECONDS);
        try {
          if (status == 502 || status == 503 || status == 504) {
            throw new RetryableException("HTTP " + status, null);
          }
          String contentLength = resp.headers().firstValue("Content-Length").orElse(null);
          if (contentLength != null && Long.parseLong(contentLength) > config.maxResponseBytes()) {
            throw new VimException(method + " response from " + config.url() + ": " + contentLength
                + " bytes (expected: <= " + config.maxResponseBytes() + ", the maxResponseBytes limit)");
          }
          T content = Xml.stream(body, r -> readBody(r, method, status, reader));
          String session = resp.headers().allValues("Set-Cookie").stream()
              .filter(c -> c.startsWith(SESSION_COOKIE + "="))
              .map(c -> c.substring(SESSION_COOKIE.length() + 1).split(";", 2)[0])
              .findFirst().orElse(null);
          return new Response<>(content, session);
        } finally {
          killer.cancel(false);
        }
      } catch (LimitExceeded e) {
        throw new VimException(method + " response from " + config.url() + " exceeded "
            + config.maxResponseBytes() + " bytes (expected: <= the maxResponseBytes limit)", e);
      } catch (IOException e) {
        if (System.nanoTime() - deadlineNanos >= 0) {
          throw new RetryableException("response body not read within " + config.timeout(), e);
        }
        if (status != 200 && status != 500) {
          throw new RetryableException("HTTP " + status + " with an unreadable body", e);
        }
        throw new VimException(method + ": unreadable response: " + e.getMessage(), e);
      }
    } finally {
      permits.release();
    }
  }

  /** Envelope, Body, then the one element inside: a Fault is thrown, anything else read by {@code reader}. */
  private static <T> T readBody(XMLStreamReader r, String method, int status, BodyReader<T> reader)
      throws XMLStreamException, IOException {
    if (r.nextTag() != XMLStreamConstants.START_ELEMENT || !r.getLocalName().equals("Envelope")) {
      throw new IOException("no SOAP envelope (expected: a vim25 response)");
    }
    while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
      if (!r.getLocalName().equals("Body")) {
        Xml.readElement(r); // a header: skipped
        continue;
      }
      if (r.nextTag() != XMLStreamConstants.START_ELEMENT) {
        break;
      }
      if (r.getLocalName().equals("Fault")) {
        throw fault(method, Xml.readElement(r));
      }
      if (status != 200) {
        throw new VimException(method + ": HTTP " + status + " (expected: 200)");
      }
      try {
        return reader.read(r);
      } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
        throw new IOException("a value in the " + method + " response is not what vim25 says: " + e.getMessage(), e);
      }
    }
    throw new VimException(method + ": HTTP " + status + " without a SOAP body (expected: a vim25 response)");
  }

  private static VimFaultException fault(String method, Xml fault) {
    String faultString = fault.childText("faultstring");
    String name = "SystemError";
    Xml detail = fault.child("detail");
    if (detail != null && !detail.children().isEmpty()) {
      Xml d = detail.children().getFirst();
      if (d.xsiType() != null) {
        name = d.xsiType();
      } else {
        name = d.name().endsWith("Fault") ? d.name().substring(0, d.name().length() - 5) : d.name();
      }
    }
    return new VimFaultException(method, name, faultString.isEmpty() ? "(no message)" : faultString);
  }

  private static boolean isTlsTrustFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof javax.net.ssl.SSLHandshakeException || c instanceof CertificateException) {
        return true;
      }
    }
    return false;
  }

  static String rootMessage(Throwable t) {
    String msg = t.toString();
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null) {
        msg = c.getMessage();
      }
    }
    return msg;
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // closing only to abort a read past its deadline
    }
  }

  @Override
  public void close() {
    deadlines.shutdownNow();
    http.close();
  }

  static SSLContext pinnedContext(String sha256Hex) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new PinnedTrustManager(sha256Hex)}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is unavailable in this JDK", e);
    }
  }

  /** Trusts exactly one certificate, by SHA-256 of its DER encoding (the pin is the identity). */
  private static final class PinnedTrustManager extends X509ExtendedTrustManager {
    private final String pin;

    PinnedTrustManager(String pin) {
      this.pin = pin;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("the server sent no certificate");
      }
      String actual;
      try {
        actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
      } catch (GeneralSecurityException e) {
        throw new CertificateException(e);
      }
      if (!actual.equals(pin)) {
        throw new CertificateException("server certificate SHA-256 " + actual
            + " does not match the pinned fingerprint " + pin);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("client certificates are not accepted here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      throw new CertificateException("client certificates are not accepted here");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      throw new CertificateException("client certificates are not accepted here");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Thrown inside {@link #once} for failures worth another attempt. */
  private static final class RetryableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RetryableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final class LimitExceeded extends IOException {
    private static final long serialVersionUID = 1L;
  }
}
