package syslens.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static syslens.tsdb.TsdbTestSupport.countSamples;
import static syslens.tsdb.TsdbTestSupport.dump;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.StorageException;

/**
 * A real full disk and a real read-only file system: a 2 MiB tmpfs mounted for the test (needs
 * root, as CI runs; skipped elsewhere). Ingest is refused with a clear error while the disk is
 * full or read-only, the problem is reported, it heals when space returns, and every
 * acknowledged sample is there after a restart.
 */
class TsdbDiskFullTest {
  @TempDir Path tmp;
  Path mnt;
  boolean mounted;

  @BeforeEach
  void mountTmpfs() throws Exception {
    mnt = Files.createDirectory(tmp.resolve("mnt"));
    mounted = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt.toString()) == 0;
    assumeTrue(mounted, "needs root to mount a small tmpfs");
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      run("umount", "-l", mnt.toString());
    }
  }

  static int run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  static Labels series(int i) {
    return Labels.of("__name__", "node_network_receive_bytes_total", "device", "eth" + i);
  }

  /** Commits one sample per series at t; returns the samples acknowledged (0 when refused). */
  static int commit(Tsdb db, long t, StringBuilder error) {
    Appender app = db.appender();
    for (int i = 0; i < 50; i++) {
      assertThat(app.append(series(i), t, t + i)).isEqualTo(AppendStatus.OK);
    }
    try {
      app.commit();
      return 50;
    } catch (StorageException e) {
      error.setLength(0);
      error.append(e.getMessage());
      return 0;
    }
  }

  @Test
  void commit_diskFull_refusedLoudlyThenHealsWithNothingAcknowledgedLost() throws Exception {
    Path data = mnt.resolve("tsdb");
    Path filler = mnt.resolve("filler");
    long t = System.currentTimeMillis() - 3_600_000;
    int acked = 0;
    int refused = 0;
    StringBuilder error = new StringBuilder();
    try (Tsdb db = Tsdb.builder(data).walSegmentSize(64 << 10).build()) {
      acked += commit(db, t, error);
      try (OutputStream out = Files.newOutputStream(filler)) {
        byte[] block = new byte[4096];
        while (true) {
          out.write(block); // until the tmpfs is full
        }
      } catch (IOException full) {
        assertThat(full.getMessage()).contains("No space left on device");
      }
      for (int i = 1; i <= 40; i++) {
        int n = commit(db, t + i * 10_000L, error);
        acked += n;
        refused += n == 0 ? 1 : 0;
      }
      assertThat(refused).isPositive();
      assertThat(error.toString()).contains("No space left on device").contains("not stored");
      assertThat(db.problem()).contains("No space left on device");
      assertThat(db.stats().walWriteErrors()).isPositive();

      try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
        ch.truncate(0); // space returns
      }
      for (int i = 41; i <= 60; i++) {
        int n = commit(db, t + i * 10_000L, error);
        assertThat(n).as("commit after space returned: %s", error).isEqualTo(50);
        acked += n;
      }
      assertThat(db.problem()).isNull();
    }
    try (Tsdb db = Tsdb.builder(data).walSegmentSize(64 << 10).build()) {
      assertThat(countSamples(dump(db))).isEqualTo(acked);
      assertThat(db.stats().walReplayProblems()).isZero();
    }
  }

  @Test
  void open_readOnlyFileSystem_servesDataRefusesWritesUntilWritable() throws Exception {
    Path data = mnt.resolve("tsdb");
    long t = System.currentTimeMillis() - 3_600_000;
    StringBuilder error = new StringBuilder();
    try (Tsdb db = Tsdb.builder(data).build()) {
      assertThat(commit(db, t, error)).isEqualTo(50);
    }
    assertThat(run("mount", "-o", "remount,ro", mnt.toString())).isZero();
    int acked = 50;
    try (Tsdb db = Tsdb.builder(data).build()) {
      assertThat(countSamples(dump(db))).isEqualTo(50); // replayed data stays queryable
      assertThat(db.problem()).contains("Read-only file system");
      assertThat(commit(db, t + 10_000, error)).isZero();
      assertThat(error.toString()).contains("Read-only file system").contains("nothing was stored");
      assertThat(run("mount", "-o", "remount,rw", mnt.toString())).isZero();
      acked += commit(db, t + 20_000, error);
      assertThat(db.problem()).isNull();
    }
    assertThat(acked).isEqualTo(100);
    try (Tsdb db = Tsdb.builder(data).build()) {
      assertThat(countSamples(dump(db))).isEqualTo(acked);
    }
  }
}
