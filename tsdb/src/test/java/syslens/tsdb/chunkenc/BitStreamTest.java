package syslens.tsdb.chunkenc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import org.junit.jupiter.api.Test;

class BitStreamTest {

  @Property
  void writeBits_roundTripsThroughReader(@ForAll("fields") List<Tuple2<Long, Integer>> fields) {
    BitWriter w = new BitWriter(1);
    long totalBits = 0;
    for (Tuple2<Long, Integer> f : fields) {
      w.writeBits(f.get1(), f.get2());
      totalBits += f.get2();
    }
    assertThat(w.bitLength()).isEqualTo(totalBits);
    byte[] bytes = w.bytes();
    assertThat(bytes).hasSize((int) ((totalBits + 7) / 8));
    BitReader r = new BitReader(bytes, 0, bytes.length);
    for (Tuple2<Long, Integer> f : fields) {
      int n = f.get2();
      long mask = n == 64 ? -1L : (1L << n) - 1;
      assertThat(r.readBits(n)).isEqualTo(f.get1() & mask);
    }
    assertThat(r.remainingBits()).isLessThan(8);
  }

  @Provide
  Arbitrary<List<Tuple2<Long, Integer>>> fields() {
    Arbitrary<Long> values = Arbitraries.oneOf(Arbitraries.longs(),
        Arbitraries.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L));
    return Combinators.combine(values, Arbitraries.integers().between(0, 64))
        .as(Tuple::of).list().ofMaxSize(200);
  }

  @Test
  void writeBits_msbFirst() {
    BitWriter w = new BitWriter(1);
    w.writeBits(0b101, 3);
    w.writeBits(0b11111, 5);
    w.writeBits(0b1, 1);
    assertThat(w.bytes()).containsExactly((byte) 0b10111111, (byte) 0b10000000);
  }

  @Test
  void readBits_pastEnd_throws() {
    BitReader r = new BitReader(new byte[] {1}, 0, 1);
    r.readBits(7);
    assertThatThrownBy(() -> r.readBits(2)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected: <= 8 bits");
  }

  @Test
  void writeBits_tooMany_throws() {
    assertThatThrownBy(() -> new BitWriter(1).writeBits(0, 65))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("nbits: 65 (expected: 0..64)");
  }
}
