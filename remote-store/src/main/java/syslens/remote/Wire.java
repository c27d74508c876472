package syslens.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.xerial.snappy.Snappy;

/** How a batch travels to the store: its content type, compression and extra headers. */
record Wire(String contentType, String contentEncoding, Compressor compressor, Map<String, String> headers) {
  /** Compresses a request body. */
  interface Compressor {
    byte[] compress(byte[] raw) throws IOException;
  }

  /** Prometheus remote-write 1.0: protobuf, snappy block format. */
  static final Wire PROMETHEUS = new Wire("application/x-protobuf", "snappy", Snappy::compress,
      Map.of("X-Prometheus-Remote-Write-Version", "0.1.0"));

  /** InfluxDB 1.x {@code /write}: line protocol, gzip. */
  static final Wire INFLUX = new Wire("text/plain; charset=utf-8", "gzip", Wire::gzip, Map.of());

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(raw);
    }
    return out.toByteArray();
  }
}
