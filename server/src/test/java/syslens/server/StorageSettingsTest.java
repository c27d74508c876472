package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StorageSettingsTest {
  @Test
  void kindOf_unknownName_failsNamingTheChoices() {
    assertThat(StorageSettings.Kind.of("influxdb")).isEqualTo(StorageSettings.Kind.INFLUXDB);
    assertThatThrownBy(() -> StorageSettings.Kind.of("cassandra"))
        .hasMessage("storage: \"cassandra\" (expected: embedded, prometheus-remote or influxdb)");
  }

  @Test
  void parseBytes_unitsAndBadInput() {
    assertThat(StorageSettings.parseBytes("--storage-buffer", "1GiB")).isEqualTo(1L << 30);
    assertThat(StorageSettings.parseBytes("--storage-buffer", "512MiB")).isEqualTo(512L << 20);
    assertThat(StorageSettings.parseBytes("--storage-buffer", "20GB")).isEqualTo(20_000_000_000L);
    assertThat(StorageSettings.parseBytes("--storage-buffer", "4096")).isEqualTo(4096);
    assertThatThrownBy(() -> StorageSettings.parseBytes("--storage-buffer", "lots"))
        .hasMessage("--storage-buffer: lots (expected: a size like 512MiB, 1GiB, 20GB)");
  }

  @Test
  void constructor_remoteWithoutUrlOrTinyBuffer_failsSayingWhatIsExpected() {
    assertThatThrownBy(() -> new StorageSettings(StorageSettings.Kind.PROMETHEUS_REMOTE, null, null, 1L << 30, null))
        .hasMessageContaining("no --storage-url").hasMessageContaining("/api/v1/write");
    assertThatThrownBy(() -> new StorageSettings(StorageSettings.Kind.INFLUXDB, URI.create("http://x:8086/write?db=a&precision=ms"),
        null, 1000, null)).hasMessage("storage buffer: 1000 bytes (expected: >= 1 MiB)");
  }

  @Test
  void toString_neverShowsTheAuthorization() {
    StorageSettings s = new StorageSettings(StorageSettings.Kind.PROMETHEUS_REMOTE,
        URI.create("http://vm:8428/api/v1/write"), null, 1L << 30, "Bearer s3cret");
    assertThat(s.toString()).isEqualTo("prometheus-remote http://vm:8428/api/v1/write").doesNotContain("s3cret");
    assertThat(ServerConfig.builder(java.nio.file.Path.of("d")).storage(s).build().toString()).doesNotContain("s3cret");
  }

  @Test
  void serverCommand_badStorageSettings_failWithTheReason() {
    assertThat(run("server", "--port", "1", "--storage", "mongodb")).contains("storage: \"mongodb\"");
    assertThat(run("server", "--port", "1", "--storage", "prometheus-remote", "--storage-url", "ftp://x/"))
        .contains("--storage-url: ftp://x/ (expected: http:// or https://HOST[:PORT]/PATH)");
    assertThat(run("server", "--port", "1", "--storage", "prometheus-remote", "--storage-url", "http://vm:8428/api/v1/write",
        "--storage-buffer", "1KiB")).contains("storage buffer: 1024 bytes (expected: >= 1 MiB)");
    assertThat(run("server", "--port", "1", "--storage", "influxdb", "--storage-url", "http://influx:8086/write?db=s"))
        .contains("(expected: http://HOST:8086/write?db=DATABASE&precision=ms)");
  }

  private static String run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.execute(args);
    return err.toString();
  }
}
