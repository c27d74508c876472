package syslens.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServersLaunchTest {
  @TempDir
  Path dir;

  @Test
  void withOwnAotCache_recordsItsOwnUntilPresent_evenWhenTheLaunchersExists() throws Exception {
    Path launchers = Files.createFile(dir.resolve("server-1-jdk25-7.aot"));
    Servers.Launch l = new Servers.Launch(Path.of("java"), List.of("-Xmx2g", "-XX:AOTCache=" + launchers, "-Xlog:aot*=off"),
        Path.of("server.jar"));

    Servers.Launch own = l.withOwnAotCache("query");

    assertThat(own.recordsAotCache()).isTrue();
    assertThat(own.jvmOptsNow())
        .containsExactly("-Xmx2g", "-XX:AOTCacheOutput=" + dir.resolve("server-1-jdk25-7-query.aot"), "-Xlog:aot*=off");
    Files.createFile(dir.resolve("server-1-jdk25-7-query.aot"));
    assertThat(own.recordsAotCache()).isFalse();
    assertThat(own.jvmOptsNow()).contains("-XX:AOTCache=" + dir.resolve("server-1-jdk25-7-query.aot"));
  }

  @Test
  void withOwnAotCache_withoutACache_changesNothing() {
    Servers.Launch l = new Servers.Launch(Path.of("java"), List.of("-Xmx2g"), Path.of("server.jar"));

    assertThat(l.withOwnAotCache("query").jvmOptsNow()).containsExactly("-Xmx2g");
  }
}
