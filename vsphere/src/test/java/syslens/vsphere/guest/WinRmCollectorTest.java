package syslens.vsphere.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WinRM client against a real in-process HTTP listener (the JDK's HttpServer) answering with
 * hand-written WS-Management responses shaped like Windows Server 2019's (no Windows host runs
 * here): Enumerate with OptimizeEnumeration, a Pull for the rest, Basic authentication, faults,
 * TLS verification and pinning.
 */
class WinRmCollectorTest {
  static final String USER = "monitor";
  static final String PASSWORD = "Winrm-pass";
  @TempDir Path tmp;
  HttpServer server;
  final List<String> requests = new CopyOnWriteArrayList<>();
  volatile String faultFor;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  static String envelope(String cls, String body) {
    return "<s:Envelope xml:lang=\"en-US\" xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\""
        + " xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\""
        + " xmlns:n=\"http://schemas.xmlsoap.org/ws/2004/09/enumeration\""
        + " xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\""
        + " xmlns:p=\"http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/" + cls + "\""
        + " xmlns:cim=\"http://schemas.dmtf.org/wbem/wscim/1/common\""
        + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><s:Header>"
        + "<a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/EnumerateResponse</a:Action>"
        + "<a:MessageID>uuid:6A3F1B2C-0000-0000-0000-000000000001</a:MessageID>"
        + "<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To></s:Header>"
        + "<s:Body>" + body + "</s:Body></s:Envelope>";
  }

  static String instance(String cls, String... props) {
    StringBuilder b = new StringBuilder("<p:" + cls + " xsi:type=\"p:" + cls + "_Type\" xml:lang=\"en-US\">");
    for (int i = 0; i < props.length; i += 2) {
      b.append(props[i + 1] == null ? "<p:" + props[i] + " xsi:nil=\"true\"/>"
          : "<p:" + props[i] + ">" + props[i + 1] + "</p:" + props[i] + ">");
    }
    return b.append("</p:").append(cls).append('>').toString();
  }

  static String enumerated(String items, boolean end) {
    return "<n:EnumerateResponse><n:EnumerationContext>uuid:CTX-1</n:EnumerationContext><w:Items>" + items
        + "</w:Items>" + (end ? "<w:EndOfSequence/>" : "") + "</n:EnumerateResponse>";
  }

  String answer(String cls, String action) {
    String p = WindowsMetrics.PROCESS;
    return switch (cls) {
      case WindowsMetrics.PROCESSOR -> enumerated(
          instance(cls, "Name", "0", "PercentIdleTime", "75", "PercentUserTime", "20", "PercentPrivilegedTime", "5",
              "PercentInterruptTime", "0", "PercentDPCTime", "0", "PercentProcessorTime", "25")
              + instance(cls, "Name", "1", "PercentIdleTime", "50", "PercentUserTime", "40", "PercentPrivilegedTime",
              "10", "PercentInterruptTime", "0", "PercentDPCTime", "0", "PercentProcessorTime", "50")
              + instance(cls, "Name", "_Total", "PercentIdleTime", "62", "PercentProcessorTime", "37"), true);
      case WindowsMetrics.OS -> enumerated(instance(cls, "Caption", "Microsoft Windows Server 2019 Standard",
          "FreePhysicalMemory", "2097152", "FreeVirtualMemory", "3145728", "LastBootUpTime",
          "<cim:Datetime>2026-11-30T08:00:00.500000+01:00</cim:Datetime>", "NumberOfProcesses", "87",
          "NumberOfUsers", "2", "TotalVirtualMemorySize", "9437184", "TotalVisibleMemorySize", "8388608"), true);
      case WindowsMetrics.DISK -> enumerated(instance(cls, "DeviceID", "C:", "DriveType", "3", "FileSystem", "NTFS",
          "FreeSpace", "53687091200", "Size", "107374182400")
          + instance(cls, "DeviceID", "D:", "DriveType", "5", "FileSystem", null, "FreeSpace", null, "Size", null), true);
      case WindowsMetrics.NIC -> enumerated(instance(cls, "Name", "vmxnet3 Ethernet Adapter", "BytesReceivedPersec",
          "125000", "BytesSentPersec", "64000", "CurrentBandwidth", "10000000000", "PacketsOutboundDiscarded", "0",
          "PacketsReceivedErrors", "3"), true);
      default -> action.endsWith("Pull")
          ? "<n:PullResponse><n:Items>" + instance(p, "Name", "sqlservr", "IDProcess", "2044", "PercentProcessorTime",
              "30", "WorkingSet", "1073741824", "WorkingSetPrivate", "805306368")
              + instance(p, "Name", "svchost#3", "IDProcess", "1160", "PercentProcessorTime", "2", "WorkingSet",
              "20971520", "WorkingSetPrivate", "8388608") + "</n:Items><n:EndOfSequence/></n:PullResponse>"
          : enumerated(instance(p, "Name", "_Total", "IDProcess", "0", "PercentProcessorTime", "37")
              + instance(p, "Name", "Idle", "IDProcess", "0", "PercentProcessorTime", "62"), false);
    };
  }

  void handle(HttpExchange ex) throws IOException {
    String body;
    try (InputStream in = ex.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    requests.add(body);
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String expected = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(auth)) {
      ex.getResponseHeaders().add("WWW-Authenticate", "Negotiate");
      ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"WSMAN\"");
      ex.sendResponseHeaders(401, -1);
      ex.close();
      return;
    }
    Matcher cls = Pattern.compile("cimv2/(\\w+)</w:ResourceURI>").matcher(body);
    Matcher action = Pattern.compile("<a:Action[^>]*>([^<]+)</a:Action>").matcher(body);
    if (!cls.find() || !action.find()) {
      ex.sendResponseHeaders(400, -1);
      ex.close();
      return;
    }
    String answer;
    int status = 200;
    if (cls.group(1).equals(faultFor)) {
      status = 500;
      answer = "<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>w:InvalidSelectors</s:Value>"
          + "</s:Subcode></s:Code><s:Reason><s:Text xml:lang=\"en-US\">The WS-Management service cannot process the"
          + " request because the class " + cls.group(1) + " does not exist. </s:Text></s:Reason></s:Fault>";
    } else {
      answer = answer(cls.group(1), action.group(1));
    }
    byte[] out = envelope(cls.group(1), answer).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/soap+xml;charset=UTF-8");
    ex.sendResponseHeaders(status, out.length);
    ex.getResponseBody().write(out);
    ex.close();
  }

  GuestCredential.HostPort startHttp() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/wsman", this::handle);
    server.start();
    return new GuestCredential.HostPort("127.0.0.1", server.getAddress().getPort());
  }

  static double value(List<GuestMetric> ms, String name, String... labels) {
    return SshCollectorTest.value(ms, name, labels);
  }

  @Test
  void collect_overHttp_mapsEveryClass() throws Exception {
    GuestCredential.HostPort at = startHttp();
    try (WinRmCollector c = new WinRmCollector(1 << 20)) {
      List<GuestMetric> ms = c.collect(at, false, null, USER, PASSWORD, Duration.ofSeconds(5));
      assertThat(value(ms, "windows_cpu_time_ratio", "core", "1", "mode", "user")).isEqualTo(0.40);
      assertThat(value(ms, "windows_cpu_time_ratio", "core", "0", "mode", "idle")).isEqualTo(0.75);
      assertThat(value(ms, "windows_cpu_usage_ratio")).isEqualTo(0.37);
      assertThat(value(ms, "windows_os_visible_memory_bytes")).isEqualTo(8388608 * 1024.0);
      assertThat(value(ms, "windows_os_physical_memory_free_bytes")).isEqualTo(2097152 * 1024.0);
      assertThat(value(ms, "windows_os_processes")).isEqualTo(87);
      assertThat(value(ms, "windows_system_boot_time_timestamp_seconds"))
          .isEqualTo((double) java.time.OffsetDateTime.parse("2026-11-30T07:00:00Z").toEpochSecond());
      assertThat(value(ms, "windows_logical_disk_size_bytes", "volume", "C:")).isEqualTo(107374182400.0);
      assertThat(value(ms, "windows_logical_disk_free_bytes", "volume", "C:")).isEqualTo(53687091200.0);
      assertThat(ms).noneMatch(m -> "D:".equals(m.labels().get("volume"))); // the empty DVD drive
      assertThat(value(ms, "windows_net_bytes_received_per_second", "nic", "vmxnet3_Ethernet_Adapter")).isEqualTo(125000);
      assertThat(value(ms, "windows_net_current_bandwidth_bytes", "nic", "vmxnet3_Ethernet_Adapter")).isEqualTo(1.25e9);
      // Processes came from the Pull; _Total and Idle are left out; svchost#3 is svchost.
      assertThat(value(ms, "windows_process_cpu_ratio", "process", "sqlservr", "process_id", "2044")).isEqualTo(0.30);
      assertThat(value(ms, "windows_process_working_set_private_bytes", "process", "svchost")).isEqualTo(8388608);
      assertThat(ms).noneMatch(m -> "_Total".equals(m.labels().get("process")) || "Idle".equals(m.labels().get("process")));
    }
    assertThat(requests).hasSize(WindowsMetrics.CLASSES.size() + 1);
    assertThat(requests.getLast()).contains("<n:EnumerationContext>uuid:CTX-1</n:EnumerationContext>")
        .contains("enumeration/Pull</a:Action>");
    assertThat(requests.getFirst()).contains("<w:OptimizeEnumeration/>");
  }

  @Test
  void collect_wrongPassword_authenticationFailed() throws Exception {
    GuestCredential.HostPort at = startHttp();
    try (WinRmCollector c = new WinRmCollector(1 << 20)) {
      assertThatThrownBy(() -> c.collect(at, false, null, USER, "wrong", Duration.ofSeconds(5)))
          .isInstanceOf(GuestException.class)
          .hasMessageContaining("authentication failed for user 'monitor'")
          .hasMessageContaining("HTTP 401")
          .hasMessageNotContaining("wrong");
    }
  }

  @Test
  void collect_fault_namesTheClassAndReason() throws Exception {
    GuestCredential.HostPort at = startHttp();
    faultFor = WindowsMetrics.NIC;
    try (WinRmCollector c = new WinRmCollector(1 << 20)) {
      assertThatThrownBy(() -> c.collect(at, false, null, USER, PASSWORD, Duration.ofSeconds(5)))
          .isInstanceOf(GuestException.class)
          .hasMessageContaining(WindowsMetrics.NIC + ": WS-Management fault: The WS-Management service cannot process");
    }
  }

  @Test
  void collect_answerOverTheLimit_refused() throws Exception {
    GuestCredential.HostPort at = startHttp();
    try (WinRmCollector c = new WinRmCollector(512)) {
      assertThatThrownBy(() -> c.collect(at, false, null, USER, PASSWORD, Duration.ofSeconds(5)))
          .isInstanceOf(GuestException.class).hasMessageContaining("answer over 512 bytes");
    }
  }

  @Test
  void collect_notWinRm_saysNotXml() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      byte[] b = "<html><body>It works!".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    try (WinRmCollector c = new WinRmCollector(1 << 20)) {
      assertThatThrownBy(() -> c.collect(new GuestCredential.HostPort("127.0.0.1", server.getAddress().getPort()),
          false, null, USER, PASSWORD, Duration.ofSeconds(5)))
          .isInstanceOf(GuestException.class).hasMessageContaining("not XML");
    }
  }

  @Test
  void collect_httpsSelfSigned_refusedByDefaultAndAcceptedWhenPinned() throws Exception {
    Path ks = tmp.resolve("winrm.p12");
    Sshd.run(tmp, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias",
        "winrm", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = java.nio.file.Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(ctx));
    https.createContext("/wsman", this::handle);
    https.start();
    server = https;
    String pin = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(store.getCertificate("winrm").getEncoded()));
    GuestCredential.HostPort at = new GuestCredential.HostPort("127.0.0.1", https.getAddress().getPort());
    try (WinRmCollector c = new WinRmCollector(1 << 20)) {
      assertThatThrownBy(() -> c.collect(at, true, null, USER, PASSWORD, Duration.ofSeconds(5)))
          .isInstanceOf(GuestException.class).hasMessageContaining("TLS with 127.0.0.1:" + at.port() + " failed");
      assertThat(c.collect(at, true, pin, USER, PASSWORD, Duration.ofSeconds(5))).isNotEmpty();
    }
  }
}
