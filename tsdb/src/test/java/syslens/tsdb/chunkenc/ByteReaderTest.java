package syslens.tsdb.chunkenc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Varints read the same near the end of a buffer (checked byte by byte) and away from it. */
class ByteReaderTest {
  @Test
  void getUvarintAndVarint_everyLengthNearAndAwayFromTheEnd_roundTrip() {
    Random r = new Random(7);
    long[] vs = new long[2000];
    for (int i = 0; i < vs.length; i++) {
      int bits = r.nextInt(65);
      vs[i] = bits == 64 ? r.nextLong() : r.nextLong() & ((1L << bits) - 1);
    }
    vs[0] = 0;
    vs[1] = -1; // ten bytes
    vs[2] = Long.MIN_VALUE;
    ByteBuf b = new ByteBuf(16);
    for (long v : vs) {
      b.putUvarint(v).putVarint(v);
    }
    ByteReader rd = new ByteReader(b.toArray(), 0, b.length());
    for (long v : vs) {
      assertThat(rd.getUvarint()).isEqualTo(v);
      assertThat(rd.getVarint()).isEqualTo(v);
    }
    assertThat(rd.remaining()).isZero();
  }

  @Test
  void getUvarint_elevenBytesOrCutShort_throws() {
    byte[] eleven = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
    byte[] padded = java.util.Arrays.copyOf(eleven, 40);
    assertThatThrownBy(() -> new ByteReader(eleven, 0, eleven.length).getUvarint())
        .isInstanceOf(CorruptChunkException.class).hasMessageContaining("longer than 10 bytes");
    assertThatThrownBy(() -> new ByteReader(eleven, 0, 3).getUvarint()) // near the end: cut short
        .isInstanceOf(CorruptChunkException.class).hasMessageContaining("past the end");
    assertThatThrownBy(() -> new ByteReader(padded, 0, padded.length).getUvarint())
        .isInstanceOf(CorruptChunkException.class).hasMessageContaining("longer than 10 bytes");
  }

  @Test
  void skipVarints_movesPastExactlyThoseVarints() {
    ByteBuf b = new ByteBuf(16);
    for (long v : new long[] {0, 127, 128, 1L << 40, -1}) {
      b.putUvarint(v);
    }
    b.putUvarint(42);
    ByteReader rd = new ByteReader(b.toArray(), 0, b.length());
    rd.skipVarints(5);
    assertThat(rd.getUvarint()).isEqualTo(42);
    assertThatThrownBy(() -> new ByteReader(b.toArray(), 0, b.length()).skipVarints(7))
        .isInstanceOf(CorruptChunkException.class);
  }
}
