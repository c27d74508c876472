package syslens.tsdb.chunkenc;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * zstd through zstd-jni (chosen by measurement, see docs/format/chunk.md). Native contexts are
 * pooled: creating one per call cost ~50 µs, more than decoding a whole 720-sample chunk. The
 * pools hold at most {@link #MAX_POOLED} idle contexts each; extra ones are closed.
 */
final class Zstd {
  static final int LEVEL = 3;
  static final int MAX_POOLED = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  private static final ConcurrentLinkedQueue<ZstdCompressCtx> COMPRESSORS = new ConcurrentLinkedQueue<>();
  private static final ConcurrentLinkedQueue<ZstdDecompressCtx> DECOMPRESSORS = new ConcurrentLinkedQueue<>();

  private Zstd() {}

  static byte[] compress(byte[] src, int len) {
    ZstdCompressCtx ctx = COMPRESSORS.poll();
    if (ctx == null) {
      ctx = new ZstdCompressCtx().setLevel(LEVEL);
    }
    try {
      byte[] in = len == src.length ? src : java.util.Arrays.copyOf(src, len);
      return ctx.compress(in);
    } finally {
      if (COMPRESSORS.size() < MAX_POOLED) {
        COMPRESSORS.offer(ctx);
      } else {
        ctx.close();
      }
    }
  }

  static byte[] decompress(byte[] src, int off, int len, int rawLen) {
    byte[] out = new byte[rawLen];
    ZstdDecompressCtx ctx = DECOMPRESSORS.poll();
    if (ctx == null) {
      ctx = new ZstdDecompressCtx();
    }
    try {
      int got = ctx.decompressByteArray(out, 0, rawLen, src, off, len);
      if (got != rawLen) {
        throw new CorruptChunkException("zstd body: " + got + " bytes (expected: " + rawLen + ")");
      }
    } catch (ZstdException e) {
      throw new CorruptChunkException("zstd body: " + e.getMessage(), e);
    } finally {
      if (DECOMPRESSORS.size() < MAX_POOLED) {
        DECOMPRESSORS.offer(ctx);
      } else {
        ctx.close();
      }
    }
    return out;
  }
}
