package syslens.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No half-written report: a writer that fails leaves nothing behind, leftovers of a crash go at open. */
class ReportStoreTest {
  @TempDir
  Path dir;

  static String[] names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void writeFile_writerFailsHalfwayLeavesNoFile() throws IOException {
    ReportStore store = new ReportStore(dir, Clock.systemUTC(), 10, Duration.ofDays(1));
    assertThatThrownBy(() -> store.writeFile("0123456789abcdef0123456789abcdef.pdf", out -> {
      out.write(new byte[100_000]);
      throw new IOException("disk full");
    })).hasMessage("disk full");
    assertThat(names(dir)).isEmpty();
    assertThat(store.list()).isEmpty();
  }

  @Test
  void open_removesTemporaryFilesOfACrashAndListsOnlyCommittedEntries() throws IOException {
    Files.writeString(dir.resolve("0123456789abcdef0123456789abcdef.pdf.tmp"), "half");
    Files.writeString(dir.resolve("0123456789abcdef0123456789abcdef.json.tmp"), "{");
    ReportStore store = new ReportStore(dir, Clock.systemUTC(), 10, Duration.ofDays(1));
    assertThat(names(dir)).isEmpty();
    store.writeFile("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.csv", out -> out.write('x')); // the document, not yet listed
    assertThat(store.list()).as("an entry is listed only once its own file is written, last").isEmpty();
  }
}
