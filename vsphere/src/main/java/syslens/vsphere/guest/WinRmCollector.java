package syslens.vsphere.guest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import syslens.vsphere.client.VimClientConfig;
import syslens.vsphere.client.Xml;

/**
 * A lean WS-Management client for Windows guests: HTTP(S) with Basic authentication (NTLM and
 * Kerberos are not supported), Enumerate with {@code OptimizeEnumeration} then Pull until
 * {@code EndOfSequence}, for the WMI classes of {@link WindowsMetrics#CLASSES}; responses at most
 * {@code maxResponseBytes}, parsed with StAX ({@link Xml}: no DTDs, no external entities). TLS
 * is verified against the JDK's CAs, or against one pinned certificate.
 */
final class WinRmCollector implements AutoCloseable {
  static final String WMI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/";
  static final String ENUMERATE = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate";
  static final String PULL = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull";
  static final int MAX_ELEMENTS = 100;
  static final int MAX_PULLS = 100;

  private final int maxResponseBytes;
  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

  WinRmCollector(int maxResponseBytes) {
    this.maxResponseBytes = maxResponseBytes;
  }

  List<GuestMetric> collect(GuestCredential.HostPort at, boolean https, String pinnedSha256, String user,
      String password, Duration timeout) throws GuestException {
    if (at.host().isEmpty()) {
      throw new GuestException("no address: the VM reports no IP (expected: VMware Tools running, or a connectAddress)");
    }
    URI url = URI.create((https ? "https://" : "http://") + at + "/wsman");
    Map<String, List<Map<String, String>>> data = new java.util.LinkedHashMap<>();
    for (String cls : WindowsMetrics.CLASSES) {
      data.put(cls, enumerate(url, cls, https ? pinnedSha256 : null, user, password, timeout));
    }
    return WindowsMetrics.map(data);
  }

  /** Every instance of a WMI class as property name -> text (nil properties left out). */
  List<Map<String, String>> enumerate(URI url, String cls, String pin, String user, String password, Duration timeout)
      throws GuestException {
    List<Map<String, String>> out = new ArrayList<>();
    Xml body = call(url, cls, pin, user, password, timeout, ENUMERATE,
        "<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>" + MAX_ELEMENTS + "</w:MaxElements></n:Enumerate>");
    Xml resp = body.child("EnumerateResponse");
    if (resp == null) {
      throw new GuestException(cls + ": no EnumerateResponse in the answer (expected: WS-Management enumeration)");
    }
    for (int pulls = 0; ; pulls++) {
      Xml items = resp.child("Items");
      if (items != null) {
        for (Xml instance : items.children()) {
          Map<String, String> props = new java.util.HashMap<>();
          for (Xml p : instance.children()) {
            // Datetimes come wrapped: <p:LastBootUpTime><cim:Datetime>...</cim:Datetime></p:LastBootUpTime>
            String v = p.text().isEmpty() && !p.children().isEmpty() ? p.children().getFirst().text() : p.text();
            if (!v.isEmpty()) {
              props.put(p.name(), v);
            }
          }
          out.add(props);
        }
      }
      String ctx = resp.childText("EnumerationContext");
      if (resp.child("EndOfSequence") != null || ctx == null || ctx.isEmpty()) {
        return out;
      }
      if (pulls >= MAX_PULLS) {
        throw new GuestException(cls + ": more than " + MAX_PULLS * MAX_ELEMENTS + " instances (expected: fewer)");
      }
      Xml next = call(url, cls, pin, user, password, timeout, PULL, "<n:Pull><n:EnumerationContext>" + escape(ctx)
          + "</n:EnumerationContext><n:MaxElements>" + MAX_ELEMENTS + "</n:MaxElements></n:Pull>");
      resp = next.child("PullResponse");
      if (resp == null) {
        throw new GuestException(cls + ": no PullResponse in the answer (expected: WS-Management enumeration)");
      }
    }
  }

  static String envelope(URI url, String cls, String action, String body) {
    return "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\""
        + " xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\""
        + " xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\""
        + " xmlns:n=\"http://schemas.xmlsoap.org/ws/2004/09/enumeration\"><s:Header>"
        + "<a:To>" + escape(url.toString()) + "</a:To>"
        + "<w:ResourceURI s:mustUnderstand=\"true\">" + WMI + cls + "</w:ResourceURI>"
        + "<a:ReplyTo><a:Address s:mustUnderstand=\"true\">"
        + "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>"
        + "<a:Action s:mustUnderstand=\"true\">" + action + "</a:Action>"
        + "<w:MaxEnvelopeSize s:mustUnderstand=\"true\">512000</w:MaxEnvelopeSize>"
        + "<a:MessageID>uuid:" + UUID.randomUUID() + "</a:MessageID>"
        + "<w:OperationTimeout>PT30S</w:OperationTimeout>"
        + "</s:Header><s:Body>" + body + "</s:Body></s:Envelope>";
  }

  private Xml call(URI url, String cls, String pin, String user, String password, Duration timeout, String action,
      String body) throws GuestException {
    HttpClient http = client(pin, timeout);
    HttpRequest req = HttpRequest.newBuilder(url).timeout(timeout.plusSeconds(30))
        .header("Content-Type", "application/soap+xml;charset=UTF-8")
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.ofString(envelope(url, cls, action, body))).build();
    HttpResponse<InputStream> resp;
    byte[] bytes;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = resp.body()) {
        bytes = in.readNBytes(maxResponseBytes + 1);
      }
    } catch (HttpConnectTimeoutException e) {
      throw new GuestException("connect to " + url.getAuthority() + " timed out after " + timeout.toMillis()
          + " ms (expected: WinRM listening there)");
    } catch (HttpTimeoutException e) {
      throw new GuestException(cls + ": no answer from " + url.getAuthority() + " in time (" + e.getMessage() + ")");
    } catch (SSLException e) {
      throw new GuestException("TLS with " + url.getAuthority() + " failed: " + e.getMessage() + " (expected: a"
          + " certificate the JDK trusts, or the pinnedSha256 of the listener's certificate)");
    } catch (ConnectException e) {
      throw new GuestException("connection refused by " + url.getAuthority() + " (expected: WinRM listening there)");
    } catch (IOException e) {
      throw new GuestException("WinRM call to " + url.getAuthority() + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GuestException("interrupted");
    }
    if (bytes.length > maxResponseBytes) {
      throw new GuestException(cls + ": answer over " + maxResponseBytes + " bytes (expected: less)");
    }
    if (resp.statusCode() == 401) {
      throw new GuestException("authentication failed for user '" + user + "' at " + url.getAuthority()
          + " (HTTP 401; expected: the right password, and Basic authentication enabled on the WinRM service)");
    }
    Xml root;
    try {
      root = Xml.parse(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new GuestException(cls + ": HTTP " + resp.statusCode() + " with a body that is not XML (expected: a SOAP"
          + " envelope from /wsman)");
    }
    Xml b = root.child("Body");
    if (b == null) {
      throw new GuestException(cls + ": HTTP " + resp.statusCode() + " without a SOAP body");
    }
    Xml fault = b.child("Fault");
    if (fault != null) {
      Xml reason = fault.path("Reason", "Text");
      String text = reason == null ? "" : reason.text().strip();
      throw new GuestException(cls + ": WS-Management fault: " + (text.isEmpty() ? "(no reason given)" : text));
    }
    if (resp.statusCode() != 200) {
      throw new GuestException(cls + ": HTTP " + resp.statusCode() + " (expected: 200)");
    }
    return b;
  }

  private HttpClient client(String pin, Duration connectTimeout) {
    return clients.computeIfAbsent((pin == null ? "" : pin) + "/" + connectTimeout.toMillis(), k -> {
      HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout)
          .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1);
      if (pin != null) {
        b.sslContext(VimClientConfig.pinnedTlsContext(pin));
      }
      return b.build();
    });
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public void close() {
    clients.values().forEach(HttpClient::close);
    clients.clear();
  }
}
