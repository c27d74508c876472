package syslens.tsdb.block;

import java.util.List;
import syslens.storage.SampleIterator;
import syslens.tsdb.chunkenc.RollupChunk;

/**
 * Iterates one block series' chunks in order, decoding each lazily, yielding samples in
 * [mint, maxt]. Rollup chunks yield the chosen column. A damaged chunk throws
 * {@link CorruptBlockException} naming the block's chunks directory.
 */
final class ChunkSeriesIterator implements SampleIterator {
  private final Block block;
  private final List<ChunkRef> chunks;
  private final long mint;
  private final long maxt;
  private final RollupChunk.Column column;
  private int chunk = -1;
  private SampleIterator cur = SampleIterator.EMPTY;
  private boolean done;

  ChunkSeriesIterator(Block block, List<ChunkRef> chunks, long mint, long maxt, RollupChunk.Column column) {
    this.block = block;
    this.chunks = chunks;
    this.mint = mint;
    this.maxt = maxt;
    this.column = column;
  }

  private SampleIterator decode(ChunkRef ref) {
    return block.samples(ref.ref(), column);
  }

  @Override
  public boolean next() {
    if (done) {
      return false;
    }
    while (true) {
      if (cur.next()) {
        long t = cur.timestamp();
        if (t < mint) {
          if (!cur.seek(mint)) {
            continue;
          }
          t = cur.timestamp();
        }
        if (t > maxt) {
          done = true;
          return false;
        }
        return true;
      }
      if (++chunk >= chunks.size()) {
        done = true;
        return false;
      }
      cur = decode(chunks.get(chunk));
    }
  }

  @Override
  public boolean seek(long t) {
    if (done) {
      return false;
    }
    long target = Math.max(t, mint);
    if (chunk >= 0 && chunk < chunks.size()) {
      // stay put when the current sample already satisfies the target
      if (cur.seek(target)) {
        if (cur.timestamp() > maxt) {
          done = true;
          return false;
        }
        return true;
      }
    }
    while (++chunk < chunks.size()) {
      if (chunks.get(chunk).maxTime() < target) {
        continue;
      }
      cur = decode(chunks.get(chunk));
      if (cur.seek(target)) {
        if (cur.timestamp() > maxt) {
          done = true;
          return false;
        }
        return true;
      }
    }
    done = true;
    return false;
  }

  @Override
  public long timestamp() {
    return cur.timestamp();
  }

  @Override
  public double value() {
    return cur.value();
  }
}
