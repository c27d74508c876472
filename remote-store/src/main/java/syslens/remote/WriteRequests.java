package syslens.remote;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import syslens.storage.Labels;

/**
 * Encodes Prometheus remote-write 1.0 {@code WriteRequest} messages (prompb/remote.proto:
 * {@code repeated TimeSeries timeseries = 1}; a TimeSeries is {@code repeated Label labels = 1,
 * repeated Sample samples = 2}; a Label {@code string name = 1, string value = 2}; a Sample
 * {@code double value = 1, int64 timestamp = 2}). Two encoded requests concatenated are one
 * request holding the series of both, which is how the sender batches records of the disk queue.
 */
final class WriteRequests {
  private WriteRequests() {}

  /** One series' staged samples. */
  static final class SeriesSamples {
    final Labels labels;
    long[] timestamps = new long[4];
    double[] values = new double[4];
    int n;

    SeriesSamples(Labels labels) {
      this.labels = labels;
    }

    void add(long t, double v) {
      if (n == timestamps.length) {
        timestamps = java.util.Arrays.copyOf(timestamps, n * 2);
        values = java.util.Arrays.copyOf(values, n * 2);
      }
      timestamps[n] = t;
      values[n] = v;
      n++;
    }
  }

  /** An encoded request and how many samples it holds. */
  record Encoded(byte[] bytes, int samples) {}

  /**
   * Encodes the series into requests of about {@code maxBytes} each (a series is never split, so
   * one larger than that is a request of its own).
   */
  static List<Encoded> encode(Iterable<SeriesSamples> series, int maxBytes) {
    List<Encoded> out = new ArrayList<>();
    List<SeriesSamples> part = new ArrayList<>();
    int partBytes = 0;
    for (SeriesSamples s : series) {
      int size = seriesSize(s);
      int framed = CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
      if (!part.isEmpty() && partBytes + framed > maxBytes) {
        out.add(write(part, partBytes));
        part = new ArrayList<>();
        partBytes = 0;
      }
      part.add(s);
      partBytes += framed;
    }
    if (!part.isEmpty()) {
      out.add(write(part, partBytes));
    }
    return out;
  }

  private static Encoded write(List<SeriesSamples> part, int bytes) {
    byte[] buf = new byte[bytes];
    CodedOutputStream out = CodedOutputStream.newInstance(buf);
    int samples = 0;
    try {
      for (SeriesSamples s : part) {
        out.writeTag(1, 2);
        out.writeUInt32NoTag(seriesSize(s));
        for (int i = 0; i < s.labels.size(); i++) {
          out.writeTag(1, 2);
          out.writeUInt32NoTag(labelSize(s.labels.name(i), s.labels.value(i)));
          out.writeString(1, s.labels.name(i));
          out.writeString(2, s.labels.value(i));
        }
        for (int i = 0; i < s.n; i++) {
          out.writeTag(2, 2);
          out.writeUInt32NoTag(sampleSize(s.timestamps[i], s.values[i]));
          out.writeDouble(1, s.values[i]);
          out.writeInt64(2, s.timestamps[i]);
        }
        samples += s.n;
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("encoding a remote-write request: sizes disagree", e);
    }
    return new Encoded(buf, samples);
  }

  private static int seriesSize(SeriesSamples s) {
    int size = 0;
    for (int i = 0; i < s.labels.size(); i++) {
      int l = labelSize(s.labels.name(i), s.labels.value(i));
      size += CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(l) + l;
    }
    for (int i = 0; i < s.n; i++) {
      int l = sampleSize(s.timestamps[i], s.values[i]);
      size += CodedOutputStream.computeTagSize(2) + CodedOutputStream.computeUInt32SizeNoTag(l) + l;
    }
    return size;
  }

  private static int labelSize(String name, String value) {
    return CodedOutputStream.computeStringSize(1, name) + CodedOutputStream.computeStringSize(2, value);
  }

  private static int sampleSize(long t, double v) {
    return CodedOutputStream.computeDoubleSize(1, v) + CodedOutputStream.computeInt64Size(2, t);
  }
}
