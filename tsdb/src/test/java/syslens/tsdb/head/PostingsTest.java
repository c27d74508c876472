package syslens.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.stream.LongStream;
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

  @Test
  void intersect_shortAgainstMuchLonger_sameAsReference() {
    Random r = new Random(7);
    for (int round = 0; round < 200; round++) {
      long[] a = sortedDistinct(r, 1 + r.nextInt(20), 1 + r.nextInt(5_000));
      long[] b = sortedDistinct(r, 1 + r.nextInt(2_000), 1 + r.nextInt(5_000));
      long[] expected = LongStream.of(a).filter(x -> Arrays.binarySearch(b, x) >= 0).toArray();
      assertThat(Postings.intersect(a, b)).as("a=%s b=%s", Arrays.toString(a), Arrays.toString(b))
          .containsExactly(expected);
      assertThat(Postings.intersect(b, a)).containsExactly(expected);
    }
  }

  @Test
  void select_severalEqualMatchers_intersectsAllWhateverTheirOrder() {
    Postings p = new Postings();
    int ref = 0;
    for (int host = 0; host < 50; host++) {
      for (String mode : List.of("idle", "user", "system")) {
        p.add(ref++, Labels.of("__name__", "cpu", "instance", "h" + host, "mode", mode));
        p.add(ref++, Labels.of("__name__", "other", "instance", "h" + host, "mode", mode));
      }
    }
    long[] one = p.select(List.of(Matcher.equal("__name__", "cpu"), Matcher.equal("mode", "user"),
        Matcher.equal("instance", "h7")));
    assertThat(one).containsExactly(7 * 6 + 2);
    assertThat(p.select(List.of(Matcher.equal("instance", "h7"), Matcher.equal("__name__", "cpu"))))
        .containsExactly(42, 44, 46);
    assertThat(p.select(List.of(Matcher.equal("instance", "h7"), Matcher.equal("mode", "nice")))).isEmpty();
  }

  private static long[] sortedDistinct(Random r, int n, int bound) {
    return r.longs(n, 0, bound).sorted().distinct().toArray();
  }
}
