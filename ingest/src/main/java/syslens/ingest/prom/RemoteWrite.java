package syslens.ingest.prom;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.util.List;
import org.xerial.snappy.Snappy;
import syslens.ingest.SeriesInput;
import syslens.ingest.prompb.Label;
import syslens.ingest.prompb.TimeSeries;
import syslens.ingest.prompb.WriteRequest;

/**
 * Reads a Prometheus remote-write 1.0 body: a snappy block-compressed protobuf
 * {@code WriteRequest}. The decompressed size is read from the snappy header and checked against
 * the limit before anything is allocated, so a small body cannot inflate into a large one.
 */
public final class RemoteWrite {
  private RemoteWrite() {}

  /**
   * The decompressed size a body declares in its snappy header, checked against the limit; lets
   * the caller budget memory before {@link #decode}.
   */
  public static int decompressedLength(byte[] body, int maxDecompressedBytes) throws FormatException {
    int length;
    try {
      length = Snappy.uncompressedLength(body);
    } catch (IOException | RuntimeException e) {
      throw new FormatException("body is not snappy block-compressed: " + e.getMessage()
          + " (expected: a protobuf WriteRequest compressed with snappy's block format, Content-Encoding: snappy)");
    }
    if (length < 0 || length > maxDecompressedBytes) {
      throw new FormatException("decompressed body: " + Integer.toUnsignedString(length) + " bytes (expected: <= "
          + maxDecompressedBytes + ")");
    }
    return length;
  }

  /** Decodes {@code body}; throws with a message naming what was wrong. */
  public static SeriesInput decode(byte[] body, int maxDecompressedBytes) throws FormatException {
    int length = decompressedLength(body, maxDecompressedBytes);
    byte[] raw;
    try {
      // Checked before allocating: a corrupt stream costs no buffer.
      if (!Snappy.isValidCompressedBuffer(body)) {
        throw new IOException("corrupt block");
      }
      raw = new byte[length];
      int n = Snappy.uncompress(body, 0, body.length, raw, 0);
      if (n != length) {
        throw new IOException(n + " bytes decompressed, header says " + length);
      }
    } catch (IOException | RuntimeException e) {
      throw new FormatException("body is not valid snappy: " + e.getMessage()
          + " (expected: a protobuf WriteRequest compressed with snappy's block format)");
    }
    WriteRequest req;
    try {
      CodedInputStream in = CodedInputStream.newInstance(raw);
      in.setRecursionLimit(16);
      req = WriteRequest.parseFrom(in);
    } catch (IOException e) {
      throw new FormatException("body is not a protobuf WriteRequest: " + e.getMessage()
          + " (expected: prometheus.WriteRequest of remote-write 1.0)");
    }
    return new Input(req.getTimeseriesList());
  }

  /** The request's series, read in place. */
  private record Input(List<TimeSeries> series) implements SeriesInput {
    @Override
    public int seriesCount() {
      return series.size();
    }

    @Override
    public Object key(int i) {
      return null; // a request rarely repeats a series; nothing to gain from caching within it
    }

    @Override
    public int labelCount(int i) {
      return series.get(i).getLabelsCount();
    }

    @Override
    public String labelName(int i, int label) {
      return label(i, label).getName();
    }

    @Override
    public String labelValue(int i, int label) {
      return label(i, label).getValue();
    }

    private Label label(int i, int label) {
      return series.get(i).getLabels(label);
    }

    @Override
    public int sampleCount(int i) {
      return series.get(i).getSamplesCount();
    }

    @Override
    public long timestamp(int i, int sample) {
      return series.get(i).getSamples(sample).getTimestamp();
    }

    @Override
    public double value(int i, int sample) {
      return series.get(i).getSamples(sample).getValue();
    }
  }
}
