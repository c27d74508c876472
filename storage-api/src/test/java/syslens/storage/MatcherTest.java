package syslens.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class MatcherTest {
  @Test
  void matches_allFourTypes() {
    assertThat(Matcher.equal("job", "api").matches("api")).isTrue();
    assertThat(Matcher.notEqual("job", "api").matches("web")).isTrue();
    assertThat(Matcher.regex("job", "a.*").matches("api")).isTrue();
    assertThat(Matcher.notRegex("job", "a.*").matches("web")).isTrue();
  }

  @Test
  void regex_isFullyAnchored() {
    assertThat(Matcher.regex("job", "pi").matches("api")).isFalse();
    assertThat(Matcher.regex("job", "a|b").matches("ab")).isFalse();
    assertThat(Matcher.regex("job", "a|b").matches("b")).isTrue();
  }

  @Test
  void absentLabel_isEmptyString() {
    Labels l = Labels.of("__name__", "up");
    assertThat(Matcher.equal("job", "").matches(l)).isTrue();
    assertThat(Matcher.regex("job", ".*").matchesEmpty()).isTrue();
    assertThat(Matcher.regex("job", ".+").matchesEmpty()).isFalse();
  }

  @Test
  void badRegex_namesItAndWhatWasExpected() {
    assertThatThrownBy(() -> Matcher.regex("job", "a("))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("regex \"a(\" for label job")
        .hasMessageContaining("expected");
  }

  @Test
  void regex_catastrophicPatternRunsInLinearTime() {
    // (.*){15}z backtracks exponentially in java.util.regex; RE2 answers at once.
    Matcher m = Matcher.regex("__name__", "(.*){15}z");
    String value = "a".repeat(10_000);
    // java.util.regex does not finish this on 30 characters; RE2 is linear in the length.
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      assertThat(m.matches(value)).isFalse();
      assertThat(m.matches("a".repeat(30))).isFalse();
    });
    assertThat(Matcher.regex("a", "(a+)+b").matches("a".repeat(100_000) + "c")).isFalse();
  }

  @Test
  void regex_isRe2Syntax() {
    // RE2 has no backreferences or lookaround (Prometheus rejects them too).
    assertThatThrownBy(() -> Matcher.regex("job", "(a)\\1")).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> Matcher.regex("job", "(?=a)")).isInstanceOf(
        IllegalArgumentException.class);
    assertThat(Matcher.regex("job", "(?P<x>a)b").matches("ab")).isTrue();
    // As in Prometheus 2.42, "." does not match a newline.
    assertThat(Matcher.regex("job", "a.b").matches("a\nb")).isFalse();
  }

  @Test
  void toString_isPromQlSyntax() {
    assertThat(Matcher.notRegex("path", "/a\"b").toString()).isEqualTo("path!~\"/a\\\"b\"");
  }

  @Test
  void regex_literalSetsAndPrefixes_answerAsTheRegexDoes() {
    java.util.List<String> regexes = java.util.List.of("host-0000[0-4]", "a|b|c", "lo", "e.*|lo", "a|", "ab?",
        "ab*", "ab+c", "ab{2}", "(?i)HOST-1", "host-1.*", "eth0|eth1|docker0", "a\\.b", "x-[a-c]+-y", ".*", ".+",
        "api:v1/x", "");
    java.util.List<String> values = java.util.List.of("", "a", "b", "c", "ab", "abb", "abc", "ac", "lo", "eth0",
        "eth1", "docker0", "e", "host-00003", "host-00005", "host-0000", "HOST-1", "host-1", "host-12", "a.b", "axb",
        "x-ab-y", "x--y", "api:v1/x", "abbbc", "lo ");
    for (String re : regexes) {
      com.google.re2j.Pattern plain = com.google.re2j.Pattern.compile("^(?:" + re + ")$");
      Matcher m = Matcher.regex("l", re);
      Matcher not = Matcher.notRegex("l", re);
      for (String v : values) {
        boolean want = plain.matcher(v).matches();
        assertThat(m.matches(v)).as("%s =~ %s", v, re).isEqualTo(want);
        if (want) {
          assertThat(v).as("%s =~ %s starts with the matcher's prefix", v, re).startsWith(m.matchedPrefix());
        }
        assertThat(not.matches(v)).as("%s !~ %s", v, re).isEqualTo(!want);
      }
    }
  }

  @Test
  void matchedPrefix_theLiteralEveryMatchStartsWith() {
    assertThat(Matcher.regex("l", "host-0000[0-4]").matchedPrefix()).isEqualTo("host-0000");
    assertThat(Matcher.regex("l", "host-1|host-12").matchedPrefix()).isEqualTo("host-1");
    assertThat(Matcher.regex("l", "eth0.*|eth1").matchedPrefix()).isEqualTo("eth");
    assertThat(Matcher.regex("l", "e.*|lo").matchedPrefix()).isEmpty();
    assertThat(Matcher.regex("l", "x-[a-c]+-y").matchedPrefix()).isEqualTo("x-");
    assertThat(Matcher.regex("l", "ab?").matchedPrefix()).isEqualTo("a");
    assertThat(Matcher.regex("l", "(?i)HOST-1").matchedPrefix()).isEmpty();
    assertThat(Matcher.equal("l", "v").matchedPrefix()).isEqualTo("v");
    assertThat(Matcher.notEqual("l", "v").matchedPrefix()).isEmpty();
    assertThat(Matcher.notRegex("l", "host-1.*").matchedPrefix()).isEmpty();
  }

  @Test
  void literalAlternatives_onlyForPlainText() {
    assertThat(Matcher.literalAlternatives("a|b|c")).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(Matcher.literalAlternatives("a|")).containsExactlyInAnyOrder("a", "");
    assertThat(Matcher.literalAlternatives("e.*|lo")).isNull();
    assertThat(Matcher.literalPrefix("host-0000[0-4]")).isEqualTo("host-0000");
    assertThat(Matcher.literalPrefix("ab?")).isEqualTo("a");
    assertThat(Matcher.literalPrefix("a|b")).isEmpty();
    assertThat(Matcher.literalPrefix("(?i)a")).isEmpty();
  }
}
