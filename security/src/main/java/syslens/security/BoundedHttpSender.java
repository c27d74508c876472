package syslens.security;

import com.nimbusds.oauth2.sdk.http.HTTPRequestSender;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Sends the OIDC SDK's requests (the token request) with java.net.http, with timeouts, no
 * redirects, and at most {@link #MAX_BODY_BYTES} of response body read: a provider cannot make
 * the server buffer an unbounded answer.
 */
final class BoundedHttpSender implements HTTPRequestSender {
  static final int MAX_BODY_BYTES = 256 * 1024;

  /** Headers java.net.http sets itself (and refuses). */
  private static final java.util.Set<String> RESTRICTED = java.util.Set.of("connection", "content-length", "expect",
      "host", "upgrade");

  private final HttpClient client;
  private final Duration timeout;

  BoundedHttpSender(Duration timeout) {
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public ReadOnlyHTTPResponse send(ReadOnlyHTTPRequest request) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(request.getURI()).timeout(timeout);
    for (Map.Entry<String, List<String>> h : request.getHeaderMap().entrySet()) {
      if (!RESTRICTED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
        h.getValue().forEach(v -> b.header(h.getKey(), v));
      }
    }
    String body = request.getBody();
    b.method(request.getMethod().name(), body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    HttpResponse<InputStream> r;
    try {
      r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    byte[] content;
    try (InputStream in = r.body()) {
      content = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (content.length > MAX_BODY_BYTES) {
      throw new IOException("response of " + request.getURI() + ": over " + MAX_BODY_BYTES + " bytes (expected: less)");
    }
    HTTPResponse out = new HTTPResponse(r.statusCode());
    r.headers().map().forEach((k, v) -> {
      if (!k.startsWith(":")) {
        out.setHeader(k, v.toArray(String[]::new));
      }
    });
    out.setBody(new String(content, StandardCharsets.UTF_8));
    return out;
  }
}
