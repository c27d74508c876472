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

  /**
   * A regex with a literal start reads only the values that start with it: on a thread already
   * interrupted, the 10 values of {@code b[0-9]} are matched (no cancellation check is reached),
   * where a scan of all 1,010 values would stop at the 256th.
   */
  @Test
  void select_regexWithLiteralStart_readsOnlyThoseValues() {
    Postings p = new Postings();
    int ref = 0;
    for (int i = 0; i < 1_000; i++) {
      p.add(ref++, Labels.of("__name__", "m", "id", "a" + i));
    }
    for (int i = 0; i < 10; i++) {
      p.add(ref++, Labels.of("__name__", "m", "id", "b" + i));
    }
    Thread.currentThread().interrupt();
    try {
      assertThat(p.select(List.of(Matcher.regex("id", "b[0-9]")))).containsExactly(
          LongStream.range(1_000, 1_010).toArray());
      assertThat(p.select(List.of(Matcher.equal("__name__", "m"), Matcher.regex("id", "b[2-3]|b7"))))
          .containsExactly(1_002, 1_003, 1_007);
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
  }

  @Test
  void mark_marksEachRefOfWithinOnce_shortOrLongSide() {
    Random r = new Random(5);
    for (int round = 0; round < 200; round++) {
      long[] within = sortedDistinct(r, 1 + r.nextInt(2_000), 1 + r.nextInt(5_000));
      boolean[] kept = new boolean[within.length];
      java.util.Set<Long> expected = new java.util.TreeSet<>();
      int marked = 0;
      for (int list = 0; list < 3; list++) {
        long[] b = sortedDistinct(r, 1 + r.nextInt(r.nextBoolean() ? 20 : 3_000), 1 + r.nextInt(5_000));
        marked += Postings.mark(within, b, b.length, kept);
        LongStream.of(b).filter(x -> Arrays.binarySearch(within, x) >= 0).forEach(expected::add);
      }
      long[] got = java.util.stream.IntStream.range(0, within.length).filter(i -> kept[i]).mapToLong(i -> within[i])
          .toArray();
      assertThat(got).containsExactly(expected.stream().mapToLong(Long::longValue).toArray());
      assertThat(marked).isEqualTo(expected.size());
    }
  }

  @Test
  void add_refsPastIntRange_keptExactAndSorted() {
    // Lists hold int refs until one does not fit: then every ref of the list as a long.
    long big = Integer.MAX_VALUE + 5L;
    Postings p = new Postings();
    long[] refs = {3, 7, Integer.MAX_VALUE, big, big + (1L << 33), 1};
    for (long ref : refs) {
      p.add(ref, Labels.of("__name__", "m", "job", ref % 2 == 0 ? "even" : "odd"));
    }
    assertThat(p.select(List.of(Matcher.equal("__name__", "m"))))
        .containsExactly(1, 3, 7, Integer.MAX_VALUE, big, big + (1L << 33));
    assertThat(p.select(List.of(Matcher.equal("__name__", "m"), Matcher.equal("job", "even"))))
        .containsExactly(big, big + (1L << 33));
    assertThat(p.select(List.of(Matcher.equal("__name__", "m"), Matcher.equal("job", "odd"))))
        .containsExactly(1, 3, 7, Integer.MAX_VALUE);
    p.remove(big, Labels.of("__name__", "m", "job", "even"));
    p.remove(3, Labels.of("__name__", "m", "job", "odd"));
    assertThat(p.select(List.of(Matcher.equal("job", "odd")))).containsExactly(1, 7, Integer.MAX_VALUE);
    assertThat(p.select(List.of(Matcher.equal("job", "even")))).containsExactly(big + (1L << 33));
  }

  @Test
  void addAll_intAndLongRefs_sameAsOneByOne() {
    long[] refs = {1, 2, 40, 1L << 31, 1L << 40};
    Labels[] labels = new Labels[refs.length];
    Postings bulk = new Postings();
    Postings single = new Postings();
    for (int i = 0; i < refs.length; i++) {
      labels[i] = Labels.of("__name__", "m", "i", Integer.toString(i % 2));
      single.add(refs[i], labels[i]);
    }
    bulk.add(3, Labels.of("__name__", "m", "i", "0")); // the bulk adds into an existing list
    single.add(3, Labels.of("__name__", "m", "i", "0"));
    bulk.addAll(refs, labels, refs.length);
    for (String v : List.of("0", "1")) {
      List<Matcher> m = List.of(Matcher.equal("i", v));
      assertThat(bulk.select(m)).containsExactly(single.select(m));
    }
    assertThat(bulk.select(List.of(Matcher.equal("__name__", "m")))).containsExactly(1, 2, 3, 40, 1L << 31, 1L << 40);
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

  /**
   * Regex and != matchers after an equal one (intersected value by value with the refs already
   * selected, the short or the long side searched) and alone: the refs a filter over every series
   * gives, for random fleets and matcher sets.
   */
  @Test
  void select_regexAfterEqual_sameAsFilteringEverySeries() {
    Random r = new Random(11);
    for (int round = 0; round < 100; round++) {
      Postings p = new Postings();
      List<Labels> all = new java.util.ArrayList<>();
      int hosts = 1 + r.nextInt(200);
      for (int h = 0; h < hosts; h++) {
        for (String name : List.of("rx", "tx", "cpu")) {
          for (String dev : List.of("eth0", "eth1", "lo", "docker0")) {
            if (r.nextInt(4) > 0) {
              Labels l = Labels.of("__name__", name, "device", dev, "instance", "host-" + h);
              p.add(all.size(), l);
              all.add(l);
            }
          }
        }
      }
      List<Matcher> pool = List.of(Matcher.equal("__name__", "rx"), Matcher.equal("device", "lo"),
          Matcher.regex("device", "e.*|lo"), Matcher.regex("instance", "host-[0-4]"), Matcher.regex("instance", "host-1.*"),
          Matcher.notEqual("device", "eth1"), Matcher.notRegex("instance", "host-2.*"), Matcher.regex("device", "x.*"),
          Matcher.regex("instance", "host-1[0-9]|host-1"), Matcher.regex("instance", "host-1\\d"),
          Matcher.regex("instance", "host-19|host-190|host-3"), Matcher.regex("device", "eth[01]"));
      List<Matcher> ms = new java.util.ArrayList<>();
      ms.add(pool.get(r.nextInt(2)));
      for (Matcher m : pool) {
        if (r.nextBoolean() && !ms.contains(m)) {
          ms.add(m);
        }
      }
      long[] expected = java.util.stream.IntStream.range(0, all.size())
          .filter(i -> ms.stream().allMatch(m -> m.matches(all.get(i)))).asLongStream().toArray();
      assertThat(p.select(ms)).as("%s", ms).containsExactly(expected);
    }
  }

  private static long[] sortedDistinct(Random r, int n, int bound) {
    return r.longs(n, 0, bound).sorted().distinct().toArray();
  }
}
