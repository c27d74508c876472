package syslens.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimpleRegexTest {
  @Test
  void parse_dashboardForms_simple() {
    for (String re : List.of("e.*|lo", "host-0000[0-4]", "a|b", "", ".*", "a|", "x[a-cX0-9]|y.*|z", "node-[0-9]")) {
      assertThat(SimpleRegex.parse(re)).as(re).isNotNull();
    }
  }

  @Test
  void parse_otherForms_leftToTheEngine() {
    for (String re : List.of("a.b", "a.*b", "ab?", "a+", "[0-4]+", "[^a]", "(a|b)", "a\\.b", "(?i)a", "^a", "a$",
        "[a-]", "[]a]", "[b-a]", "[.]", "a{2}", ".+", "a[", "[a-c", "a\\|b", "[\\d]")) {
      assertThat(SimpleRegex.parse(re)).as(re).isNull();
    }
  }

  /**
   * Random regexes built from the simple forms and from characters that break them, against the
   * RE2/J regex on many strings: the same answer for every pair.
   */
  @Test
  void matches_randomRegexesAndValues_sameAsRe2j() {
    Random r = new Random(42);
    String[] pieces = {"a", "b", "e", "lo", "host-0000", "-", ":", " ", ".*", "[0-4]", "[a-cx]", "[b]", "|", "|",
        ".", "?", "+", "[^a]", "(", ")", "\\.", "*", "é"};
    String alphabet = "abelo0134xh-:. \né\u00e9Z";
    List<String> values = new ArrayList<>(List.of("", "lo", "eth0", "e", "e\n", "host-00003", "host-00005",
        "host-0000", "host-00000x", "a", "ab", "b", "x"));
    for (int k = 0; k < 300; k++) {
      StringBuilder v = new StringBuilder();
      int len = r.nextInt(8);
      for (int j = 0; j < len; j++) {
        v.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      values.add(v.toString());
    }
    int simple = 0;
    for (int k = 0; k < 3000; k++) {
      StringBuilder re = new StringBuilder();
      int len = 1 + r.nextInt(5);
      for (int j = 0; j < len; j++) {
        re.append(pieces[r.nextInt(pieces.length)]);
      }
      Pattern p;
      try {
        p = Pattern.compile("^(?:" + re + ")$");
      } catch (RuntimeException e) {
        continue;
      }
      SimpleRegex s = SimpleRegex.parse(re.toString());
      if (s == null) {
        continue;
      }
      simple++;
      Matcher m = Matcher.regex("l", re.toString());
      for (String v : values) {
        boolean want = p.matcher(v).matches();
        assertThat(s.matches(v)).as("%s =~ %s", v, re).isEqualTo(want);
        assertThat(m.matches(v)).as("%s =~ %s", v, re).isEqualTo(want);
      }
      // Values built to match: each alternative's literal with and without a tail.
      for (String alt : re.toString().split("\\|", -1)) {
        String lit = alt.replaceAll("\\.\\*|\\[[^]]*]", "");
        for (String v : List.of(lit, lit + "0", lit + "3", lit + "a", lit + "x\n", lit + "xy", lit + "é")) {
          assertThat(s.matches(v)).as("%s =~ %s", v, re).isEqualTo(p.matcher(v).matches());
        }
      }
    }
    assertThat(simple).isGreaterThan(500);
  }
}
