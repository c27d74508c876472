package syslens.tsdb.chunkenc;

import com.github.luben.zstd.ZstdException;

/** zstd through zstd-jni (chosen by measurement, see docs/format/chunk.md). */
final class Zstd {
  static final int LEVEL = 3;

  private Zstd() {}

  static byte[] compress(byte[] src, int len) {
    byte[] in = len == src.length ? src : java.util.Arrays.copyOf(src, len);
    return com.github.luben.zstd.Zstd.compress(in, LEVEL);
  }

  static byte[] decompress(byte[] src, int off, int len, int rawLen) {
    byte[] out = new byte[rawLen];
    try {
      long got = com.github.luben.zstd.Zstd.decompressByteArray(out, 0, rawLen, src, off, len);
      if (got != rawLen) {
        throw new CorruptChunkException("zstd body: " + got + " bytes (expected: " + rawLen + ")");
      }
    } catch (ZstdException e) {
      throw new CorruptChunkException("zstd body: " + e.getMessage(), e);
    }
    return out;
  }
}
