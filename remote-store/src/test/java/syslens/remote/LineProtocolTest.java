package syslens.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.storage.Labels;
import syslens.storage.Matcher;

class LineProtocolTest {
  private static String line(Labels labels) {
    WriteRequests.SeriesSamples s = new WriteRequests.SeriesSamples(labels);
    s.add(1_000L, 1.5);
    return new String(LineProtocol.encode(List.of(s), 1 << 20).records().get(0).bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void encode_tagValueEndingInBackslash_storedWithAnEscapedSpaceSoTheSeparatorStaysOne() {
    String l = line(Labels.of("__name__", "node_filesystem_avail_bytes", "mountpoint", "C:\\", "node", "win-1"));
    // Without the space, "mountpoint=C:\,node=win-1" escapes the comma and InfluxDB refuses the line.
    assertThat(l).isEqualTo("node_filesystem_avail_bytes,mountpoint=C:\\\\ ,node=win-1 value=1.5 1000\n");
  }

  @Test
  void encode_lastTagEndingInBackslash_theSpaceBeforeTheFieldsStaysASeparator() {
    assertThat(line(Labels.of("__name__", "m", "path", "D:\\data\\")))
        .isEqualTo("m,path=D:\\data\\\\  value=1.5 1000\n");
  }

  @Test
  void encode_backslashInside_leftAsItIs() {
    assertThat(line(Labels.of("__name__", "m", "path", "C:\\Program Files", "x", "a\\b")))
        .isEqualTo("m,path=C:\\Program\\ Files,x=a\\b value=1.5 1000\n");
  }

  @Test
  void toStored_fromStored_roundTripOneToOne() {
    for (String v : List.of("", " ", "C:\\", "C:\\ ", "C:\\  ", "\\", "\\\\", "a\\b", "a ", "plain", "x\\ y",
        "D:\\data\\")) {
      String stored = LineProtocol.toStored(v);
      assertThat(LineProtocol.fromStored(stored)).as("'%s' stored as '%s'", v, stored).isEqualTo(v);
      assertThat(stored.endsWith("\\")).as("'%s' stored as '%s'", v, stored).isFalse();
    }
    assertThat(LineProtocol.toStored("C:\\")).isEqualTo("C:\\ ");
    assertThat(LineProtocol.toStored("C:\\ ")).isEqualTo("C:\\  ");
    assertThat(LineProtocol.toStored("plain ")).isEqualTo("plain ");
    assertThat(LineProtocol.fromStored("plain ")).isEqualTo("plain ");
  }

  @Test
  void query_equalMatcher_asksForTheStoredValue_regexAlsoLetsStoredBackslashValuesThrough() {
    String q = InfluxQuerier.query(List.of(Matcher.equal("__name__", "m"), Matcher.equal("mountpoint", "C:\\"),
        Matcher.regex("node", "win-.*")), 0, 1000);
    assertThat(q).contains("\"mountpoint\" = 'C:\\\\ '")
        .contains("(\"node\" =~ /^(?:win-.*)$/ OR \"node\" =~ /\\\\ +$/)");
  }
}
