package syslens.tsdb.chunkenc;

import syslens.storage.SampleIterator;

/** Decodes an XOR chunk (see {@link XorChunk}); seek assumes timestamps in order. */
final class XorIterator implements SampleIterator {
  private final BitReader in;
  private final int total;
  private int read;
  private long t;
  private long tDelta;
  private long vBits;
  private int leading;
  private int trailing;
  private boolean positioned;

  XorIterator(byte[] chunk) {
    this.total = XorChunk.numSamples(chunk);
    this.in = new BitReader(chunk, XorChunk.HEADER_BYTES, chunk.length - XorChunk.HEADER_BYTES);
  }

  @Override
  public boolean next() {
    if (read >= total) {
      positioned = false;
      return false;
    }
    if (read == 0) {
      t = XorChunk.readVarint(in);
      vBits = in.readBits(64);
    } else if (read == 1) {
      tDelta = XorChunk.readUvarint(in);
      t += tDelta;
      readValue();
    } else {
      long dod = readDod();
      tDelta += dod;
      t += tDelta;
      readValue();
    }
    read++;
    positioned = true;
    return true;
  }

  private long readDod() {
    int prefix = 0;
    for (int i = 0; i < 4; i++) {
      if (!in.readBit()) {
        break;
      }
      prefix++;
    }
    int size = switch (prefix) {
      case 0 -> 0;
      case 1 -> 14;
      case 2 -> 17;
      case 3 -> 20;
      default -> 64;
    };
    if (size == 0) {
      return 0;
    }
    long bits = in.readBits(size);
    if (size != 64 && bits > (1L << (size - 1))) {
      bits -= 1L << size;
    }
    return bits;
  }

  private void readValue() {
    if (!in.readBit()) {
      return;
    }
    if (in.readBit()) {
      leading = (int) in.readBits(5);
      int sig = (int) in.readBits(6);
      if (sig == 0) {
        sig = 64;
      }
      trailing = 64 - leading - sig;
      if (trailing < 0) {
        throw new IllegalStateException(
            "xor window: leading " + leading + " + significant " + sig + " bits (expected: <= 64)");
      }
    }
    int sig = 64 - leading - trailing;
    vBits ^= in.readBits(sig) << trailing;
  }

  @Override
  public boolean seek(long ts) {
    if (positioned && t >= ts) {
      return true;
    }
    while (next()) {
      if (t >= ts) {
        return true;
      }
    }
    return false;
  }

  @Override
  public long timestamp() {
    checkPositioned();
    return t;
  }

  @Override
  public double value() {
    checkPositioned();
    return Double.longBitsToDouble(vBits);
  }

  private void checkPositioned() {
    if (!positioned) {
      throw new IllegalStateException("iterator: not on a sample (expected: next() or seek() returned true)");
    }
  }
}
