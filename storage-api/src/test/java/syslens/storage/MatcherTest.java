package syslens.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void toString_isPromQlSyntax() {
    assertThat(Matcher.notRegex("path", "/a\"b").toString()).isEqualTo("path!~\"/a\\\"b\"");
  }
}
