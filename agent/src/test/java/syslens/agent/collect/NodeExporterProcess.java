package syslens.agent.collect;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** Debian's node_exporter (prometheus-node-exporter) on a free loopback port, stopped on close. */
final class NodeExporterProcess implements AutoCloseable {

  static final Path EXE = Path.of("/usr/bin/prometheus-node-exporter");

  final Process process;
  final String url;

  private NodeExporterProcess(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  static boolean available() {
    return Files.isExecutable(EXE);
  }

  static NodeExporterProcess start(String... extraArgs) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      port = s.getLocalPort();
    }
    List<String> cmd = new java.util.ArrayList<>(List.of(EXE.toString(), "--web.listen-address=127.0.0.1:" + port));
    cmd.addAll(List.of(extraArgs));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    NodeExporterProcess ne = new NodeExporterProcess(p, "http://127.0.0.1:" + port + "/metrics");
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
        .until(() -> ne.scrape().contains("node_"));
    return ne;
  }

  String scrape() throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setConnectTimeout(5000);
    c.setReadTimeout(10000);
    try (InputStream in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      c.disconnect();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
