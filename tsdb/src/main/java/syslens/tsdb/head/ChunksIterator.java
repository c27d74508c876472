package syslens.tsdb.head;

import java.util.List;
import syslens.storage.SampleIterator;
import syslens.tsdb.chunkenc.XorChunk;

/** Iterates consecutive chunks of one series, yielding only samples inside [mint, maxt]. */
final class ChunksIterator implements SampleIterator {
  private final List<ChunkMeta> chunks;
  private final long mint;
  private final long maxt;
  private int chunk = -1;
  private SampleIterator cur = SampleIterator.EMPTY;
  private boolean onSample;
  private boolean done;

  ChunksIterator(List<ChunkMeta> chunks, long mint, long maxt) {
    this.chunks = chunks;
    this.mint = mint;
    this.maxt = maxt;
  }

  @Override
  public boolean next() {
    if (done) {
      return false;
    }
    if (!onSample) {
      return seek(mint);
    }
    if (cur.next()) {
      return check();
    }
    while (++chunk < chunks.size()) {
      cur = XorChunk.iterator(chunks.get(chunk).data());
      if (cur.next()) {
        return check();
      }
    }
    return finish();
  }

  @Override
  public boolean seek(long t) {
    if (done) {
      return false;
    }
    long target = Math.max(t, mint);
    if (onSample && cur.timestamp() >= target) {
      return true;
    }
    if (chunk >= 0 && chunk < chunks.size() && chunks.get(chunk).maxTime() >= target
        && cur.seek(target)) {
      onSample = true;
      return check();
    }
    while (++chunk < chunks.size()) {
      if (chunks.get(chunk).maxTime() < target) {
        continue; // the whole chunk ends before the target: skip without decoding
      }
      cur = XorChunk.iterator(chunks.get(chunk).data());
      if (cur.seek(target)) {
        onSample = true;
        return check();
      }
    }
    return finish();
  }

  private boolean check() {
    if (cur.timestamp() > maxt) {
      return finish();
    }
    return true;
  }

  private boolean finish() {
    done = true;
    onSample = false;
    return false;
  }

  @Override
  public long timestamp() {
    checkOn();
    return cur.timestamp();
  }

  @Override
  public double value() {
    checkOn();
    return cur.value();
  }

  private void checkOn() {
    if (!onSample) {
      throw new IllegalStateException("iterator: not on a sample (expected: next() or seek() returned true)");
    }
  }
}
