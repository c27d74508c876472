package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import syslens.storage.Appender;
import syslens.storage.Labels;

/**
 * {@code syslens admin backup} taken while ingest goes on, restored into a fresh directory:
 * the restored server answers queries over the backed-up range exactly as the original did.
 */
class BackupRestoreTest {
  @TempDir Path tmp;

  static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println("syslens: " + ex.getMessage());
      return 1;
    });
    return cl.execute(args);
  }

  @Test
  void backupDuringIngest_restoredServerAnswersIdentically() throws Exception {
    Path backup = tmp.resolve("backup");
    Path passwordFile = Files.writeString(tmp.resolve("pw"), TestServer.PASSWORD);
    long t0 = System.currentTimeMillis() - 3_000_000;
    AtomicLong committedUpTo = new AtomicLong(Long.MIN_VALUE);
    AtomicBoolean stop = new AtomicBoolean();
    JsonNode before;
    long cut;
    try (TestServer server = new TestServer(tmp.resolve("data"), Duration.ofSeconds(10))) {
      Thread writer = Thread.ofPlatform().start(() -> {
        for (int step = 0; !stop.get() && step < 2_000; step++) {
          Appender app = server.server.tsdb().appender();
          long t = t0 + step * 1000L;
          for (int i = 0; i < 20; i++) {
            app.append(Labels.of("__name__", "backup_test", "s", Integer.toString(i)), t, step * 3.0 + i);
          }
          app.commit();
          committedUpTo.set(t);
        }
      });
      while (committedUpTo.get() < t0 + 200_000) {
        Thread.onSpinWait();
      }
      cut = committedUpTo.get(); // committed before the backup starts: must be in it
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int rc = run(out, err, "admin", "backup", backup.toString(), "--url", server.base(),
          "--password-file", passwordFile.toString());
      assertThat(rc).as(err.toString()).isZero();
      assertThat(out.toString()).contains("backup: done").contains("verified");
      stop.set(true);
      writer.join();
      assertThat(Files.list(server.data.resolve("snapshots"))).isEmpty(); // the CLI cleaned up
      before = server.queryRange(server.login(), "backup_test", t0, cut, "1s");
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path restored = tmp.resolve("restored");
    assertThat(run(out, err, "admin", "restore", backup.toString(), "--data", restored.toString()))
        .as(err.toString()).isZero();
    assertThat(out.toString()).contains("restore: done");
    try (TestServer server = new TestServer(restored, Duration.ofSeconds(10))) {
      JsonNode after = server.queryRange(server.login(), "backup_test", t0, cut, "1s");
      assertThat(after.path("data").path("result")).hasSize(20);
      assertThat(after).isEqualTo(before);
    }
  }

  @Test
  void compact_stoppedServer_onlyBlocksRemainAndAnswersAreIdentical() throws Exception {
    Path data = tmp.resolve("data");
    long t0 = System.currentTimeMillis() - 3_000_000;
    JsonNode before;
    try (TestServer server = new TestServer(data, Duration.ofSeconds(10))) {
      for (int step = 0; step < 600; step++) {
        Appender app = server.server.tsdb().appender();
        for (int i = 0; i < 20; i++) {
          app.append(Labels.of("__name__", "compact_test", "s", Integer.toString(i)),
              t0 + step * 5000L, step % 7 + i);
        }
        app.commit();
      }
      before = server.queryRange(server.login(), "compact_test", t0, t0 + 600 * 5000L, "15s");
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      assertThat(run(out, err, "admin", "compact", "--data", data.toString())).isNotZero();
      assertThat(err.toString()).contains("in use"); // a running server holds the data directory
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    assertThat(run(out, err, "admin", "compact", "--data", data.toString())).as(err.toString()).isZero();

    assertThat(out.toString()).contains("tier raw").contains("12,000 samples").contains("compact: done");
    try (Stream<Path> wal = Files.list(data.resolve("tsdb").resolve("wal"))) {
      assertThat(wal.mapToLong(p -> p.toFile().length()).sum()).isLessThan(4096);
    }
    try (TestServer server = new TestServer(data, Duration.ofSeconds(10))) {
      JsonNode after = server.queryRange(server.login(), "compact_test", t0, t0 + 600 * 5000L, "15s");
      assertThat(after.path("data").path("result")).hasSize(20);
      assertThat(after).isEqualTo(before);
    }
  }

  @Test
  void restore_damagedOrIncompleteBackup_refusedNamingTheFile() throws Exception {
    Path backup = tmp.resolve("backup");
    Path passwordFile = Files.writeString(tmp.resolve("pw"), TestServer.PASSWORD);
    try (TestServer server = new TestServer(tmp.resolve("data"), Duration.ofSeconds(10))) {
      Appender app = server.server.tsdb().appender();
      app.append(Labels.of("__name__", "x"), System.currentTimeMillis() - 1000, 1);
      app.commit();
      assertThat(run(new StringWriter(), new StringWriter(), "admin", "backup", backup.toString(),
          "--url", server.base(), "--password-file", passwordFile.toString())).isZero();
      // A running server's data directory is never restored into.
      StringWriter err = new StringWriter();
      assertThat(run(new StringWriter(), err, "admin", "restore", backup.toString(), "--data",
          server.data.toString(), "--force")).isEqualTo(1);
      assertThat(err.toString()).contains("in use by a running SysLens server");
    }
    Path checkpoint;
    try (var files = Files.list(backup.resolve("tsdb"))) {
      checkpoint = files.filter(p -> p.getFileName().toString().startsWith("checkpoint.")).findFirst().orElseThrow();
    }
    byte[] b = Files.readAllBytes(checkpoint);
    b[b.length / 2] ^= 1;
    Files.write(checkpoint, b);
    StringWriter err = new StringWriter();
    assertThat(run(new StringWriter(), err, "admin", "restore", backup.toString(), "--data",
        tmp.resolve("r1").toString())).isEqualTo(1);
    assertThat(err.toString()).contains(checkpoint.toString()).contains("SHA-256 does not match");
    Files.delete(checkpoint);
    err = new StringWriter();
    assertThat(run(new StringWriter(), err, "admin", "restore", backup.toString(), "--data",
        tmp.resolve("r2").toString())).isEqualTo(1);
    assertThat(err.toString()).contains(checkpoint.toString()).contains("missing");
  }
}
