package syslens.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real full disk under the queue: a 1 MiB tmpfs mounted for the test (needs root; skipped otherwise). */
class DiskQueueDiskFullTest {
  @TempDir Path tmp;
  Path mnt;
  boolean mounted;

  @BeforeEach
  void mountTmpfs() throws Exception {
    mnt = Files.createDirectories(tmp.resolve("mnt"));
    mounted = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString()) == 0;
    assumeTrue(mounted, "needs root to mount a small tmpfs");
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      run("umount", "-l", mnt.toString());
    }
  }

  private static int run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor();
  }

  @Test
  void append_diskFullMidRecord_failsAndLaterRecordsStayReadable() throws Exception {
    Path dir = mnt.resolve("queue");
    Path filler = mnt.resolve("filler");
    Files.write(filler, new byte[300_000]);
    List<Integer> appended = new ArrayList<>();
    try (DiskQueue q = DiskQueue.open(dir, 64L << 20, 64L << 20)) {
      int i = 0;
      try {
        while (true) {
          byte[] b = new byte[30_000];
          java.util.Arrays.fill(b, (byte) (i % 100));
          q.append(List.of(new WriteRequests.Encoded(b, 1)));
          appended.add(i % 100);
          i++;
        }
      } catch (IOException e) {
        assertThat(e.getMessage()).containsIgnoringCase("space");
      }
      assertThat(appended).isNotEmpty();
      // Space comes back: the next appends go to a new segment after the last good record.
      Files.delete(filler);
      for (int k = 0; k < 3; k++) {
        byte[] small = new byte[1000];
        java.util.Arrays.fill(small, (byte) (100 + k));
        q.append(List.of(new WriteRequests.Encoded(small, 1)));
        appended.add(100 + k);
      }
      assertThat(readAll(q)).containsExactlyElementsOf(appended);
    }
    try (DiskQueue q = DiskQueue.open(dir, 64L << 20, 64L << 20)) {
      assertThat(readAll(q)).as("after a restart").containsExactlyElementsOf(appended);
      assertThat(q.pendingSamples()).isEqualTo(appended.size());
    }
  }

  private static List<Integer> readAll(DiskQueue q) throws IOException {
    List<Integer> seen = new ArrayList<>();
    long pos = q.ackedPosition();
    while (pos < q.writePosition()) {
      DiskQueue.Batch b = q.read(pos, 1 << 20);
      assertThat(b.corruptBytes()).isZero();
      b.payloads().forEach(p -> seen.add((int) p[0]));
      pos = b.end();
    }
    return seen;
  }
}
