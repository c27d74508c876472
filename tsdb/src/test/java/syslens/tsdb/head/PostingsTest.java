package syslens.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import syslens.storage.Labels;
import syslens.storage.Matcher;

class PostingsTest {
  private static Postings withValues(int n) {
    Postings p = new Postings();
    for (int i = 0; i < n; i++) {
      p.add(i, Labels.of("__name__", "m", "id", "v" + i));
    }
    return p;
  }

  @Test
  void select_regexOverManyValues() {
    Postings p = withValues(2_000);
    assertThat(p.select(List.of(Matcher.regex("id", "v1.."))).length).isEqualTo(100);
  }

  @Test
  void select_interruptedThreadStopsRegexMatching() {
    Postings p = withValues(2_000);
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> p.select(List.of(Matcher.regex("id", "v.*"))))
          .isInstanceOf(CancellationException.class)
          .hasMessageContaining("label id");
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
  }
}
