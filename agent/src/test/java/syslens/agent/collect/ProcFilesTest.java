package syslens.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFilesTest {
  @TempDir
  Path tmp;

  @Test
  void lines_anyTerminatorsAndBlankLines_sameAsReadAllLines() throws Exception {
    String[] contents = {"", "\n", "a", "a\n", "a\nb", "a\n\nb\n", "a\r\nb\rc\n\n", "\r\n\r\n", "cpu0 1 2\ncpu1 3 4\n",
        "NAME=\"Débian\"\n", "x\r"};
    for (int i = 0; i < contents.length; i++) {
      Path f = Files.writeString(tmp.resolve("f" + i), contents[i], StandardCharsets.UTF_8);

      assertThat(ProcFiles.lines(f)).as("content %s", contents[i].replace("\n", "\\n").replace("\r", "\\r"))
          .isEqualTo(Files.readAllLines(f, StandardCharsets.UTF_8));
    }
  }

  @Test
  void fields_spacesAndTabs_sameAsStripAndRegexSplit() {
    String[] lines = {"", " ", "\t", "a", " a ", "a b", "a  b\t\tc", "\t a \t b \t", "cpu0 1 2 3", "a\u000bb c ",
        "Ip: Forwarding DefaultTTL", "  8       0 sda 1 2"};
    for (String line : lines) {
      String t = line.strip();
      String[] expected = t.isEmpty() ? new String[0] : t.split("[ \t]+");

      assertThat(ProcFiles.fields(line)).as("line '%s'", line).containsExactly(expected);
    }
  }
}
