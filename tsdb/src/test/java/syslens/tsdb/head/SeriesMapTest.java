package syslens.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import syslens.storage.Labels;

class SeriesMapTest {

  private static MemSeries series(long ref) {
    return new MemSeries(ref, Labels.of("__name__", "m", "i", Long.toString(ref % 97), "r", Long.toString(ref)));
  }

  @Test
  void putIfAbsent_refOrLabelsTaken_returnsTheHolderAndAddsNothing() {
    SeriesMap m = new SeriesMap(0);
    MemSeries a = series(1);
    assertThat(m.putIfAbsent(a)).isNull();
    assertThat(m.putIfAbsent(new MemSeries(1, Labels.of("__name__", "other")))).isSameAs(a);
    assertThat(m.putIfAbsent(new MemSeries(2, a.labels()))).isSameAs(a);
    assertThat(m.size()).isEqualTo(1);
    assertThat(m.get(1)).isSameAs(a);
    assertThat(m.get(Labels.of("__name__", "m", "i", "1", "r", "1"))).isSameAs(a);
    assertThat(m.get(2)).isNull();
  }

  @Test
  void randomAddsAndRemoves_matchAReferenceMap() {
    Random rnd = new Random(42);
    SeriesMap m = new SeriesMap(0);
    Map<Long, MemSeries> ref = new HashMap<>();
    List<Long> live = new ArrayList<>();
    long next = 1;
    for (int op = 0; op < 60_000; op++) {
      if (live.isEmpty() || rnd.nextInt(3) > 0) {
        MemSeries s = series(next++);
        assertThat(m.putIfAbsent(s)).isNull();
        ref.put(s.ref(), s);
        live.add(s.ref());
      } else {
        long r = live.remove(rnd.nextInt(live.size()));
        MemSeries s = ref.remove(r);
        assertThat(m.remove(s)).isTrue();
        assertThat(m.remove(s)).isFalse();
        assertThat(m.get(r)).isNull();
        assertThat(m.get(s.labels())).isNull();
      }
      if (op % 4_999 == 0) {
        for (MemSeries s : ref.values()) {
          assertThat(m.get(s.ref())).isSameAs(s);
          assertThat(m.get(Labels.of("__name__", "m", "i", Long.toString(s.ref() % 97), "r",
              Long.toString(s.ref())))).isSameAs(s);
        }
      }
    }
    assertThat(m.size()).isEqualTo(ref.size());
    assertThat(new HashSet<>(m.values())).isEqualTo(new HashSet<>(ref.values()));
  }

  @Test
  void get_whileAnotherThreadAddsAndRemoves_alwaysFindsTheSeriesThatStay() throws Exception {
    SeriesMap m = new SeriesMap(0);
    List<MemSeries> stay = new ArrayList<>();
    for (long r = 1; r <= 1_000; r++) {
      MemSeries s = series(r);
      m.putIfAbsent(s);
      stay.add(s);
    }
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<String> failure = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      while (!done.get()) {
        for (MemSeries s : stay) {
          if (m.get(s.ref()) != s || m.get(s.labels()) != s) {
            failure.set("lost series " + s.ref());
            return;
          }
        }
      }
    });
    reader.start();
    long next = 1_001;
    for (int round = 0; round < 200; round++) {
      List<MemSeries> churn = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        MemSeries s = series(next++);
        m.putIfAbsent(s);
        churn.add(s);
      }
      churn.forEach(m::remove);
    }
    done.set(true);
    reader.join();
    assertThat(failure.get()).isNull();
    assertThat(m.size()).isEqualTo(1_000);
  }
}
