package syslens.server.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import syslens.query.InstantVector;
import syslens.query.Matrix;
import syslens.query.Point;
import syslens.query.PromFormat;
import syslens.query.RangeSeries;
import syslens.query.Scalar;
import syslens.query.StringValue;
import syslens.query.Value;
import syslens.query.VectorSample;
import syslens.storage.Labels;

/**
 * Renders query results in the Prometheus HTTP API's JSON shapes, streamed with a JSON generator
 * straight into a pooled buffer that the server releases once written: no tree of maps and
 * lists, no intermediate byte array.
 */
final class PromJson {
  /** Stateless and thread-safe: the factory only makes generators. */
  private static final JsonFactory JSON = new JsonFactory();
  private static final ResponseHeaders OK = ResponseHeaders.of(HttpStatus.OK, HttpHeaderNames.CONTENT_TYPE,
      MediaType.JSON);

  private PromJson() {}

  /** {@code {"status":"success","data":{"resultType":...,"result":...}}} for a query result. */
  static HttpResponse success(Value v, ByteBufAllocator alloc) {
    ByteBuf buf = alloc.buffer(estimate(v));
    boolean written = false;
    try {
      try (JsonGenerator g = JSON.createGenerator((OutputStream) new ByteBufOutputStream(buf))) {
        g.writeStartObject();
        g.writeStringField("status", "success");
        g.writeFieldName("data");
        data(g, v, new Text());
        g.writeEndObject();
      }
      written = true;
      return HttpResponse.of(OK, HttpData.wrap(buf));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!written) {
        buf.release();
      }
    }
  }

  /** One answer's buffers for its values' text (no String per point). */
  private static final class Text {
    final StringBuilder value = new StringBuilder(32);
    char[] chars = new char[32];

    /** Writes {@code v} as Prometheus does ({@link PromFormat#formatValue}), as a JSON string. */
    void write(JsonGenerator g, double v) throws IOException {
      value.setLength(0);
      PromFormat.appendValue(v, value);
      int n = value.length();
      if (n > chars.length) {
        chars = new char[Math.max(n, chars.length * 2)];
      }
      value.getChars(0, n, chars, 0);
      g.writeString(chars, 0, n);
    }
  }

  private static void data(JsonGenerator g, Value v, Text text) throws IOException {
    g.writeStartObject();
    g.writeStringField("resultType", v.resultType());
    g.writeFieldName("result");
    switch (v) {
      case Scalar s -> {
        g.writeStartArray();
        g.writeNumber(seconds(s.timestampMs()));
        g.writeString(PromFormat.formatValue(s.value()));
        g.writeEndArray();
      }
      case StringValue s -> {
        g.writeStartArray();
        g.writeNumber(seconds(s.timestampMs()));
        g.writeString(s.value());
        g.writeEndArray();
      }
      case InstantVector iv -> {
        g.writeStartArray();
        for (VectorSample s : iv.samples()) {
          g.writeStartObject();
          metric(g, s.labels());
          g.writeFieldName("value");
          pair(g, s.timestampMs(), s.value(), text);
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      case Matrix m -> {
        g.writeStartArray();
        for (RangeSeries s : m.series()) {
          g.writeStartObject();
          metric(g, s.labels());
          g.writeArrayFieldStart("values");
          for (Point p : s.points()) {
            pair(g, p.timestampMs(), p.value(), text);
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        g.writeEndArray();
      }
    }
    g.writeEndObject();
  }

  private static void metric(JsonGenerator g, Labels labels) throws IOException {
    g.writeObjectFieldStart("metric");
    for (int i = 0; i < labels.size(); i++) {
      g.writeStringField(labels.name(i), labels.value(i));
    }
    g.writeEndObject();
  }

  /** A sample of a vector or matrix: {@code [time, "value"]}, time as Prometheus' MarshalTimestamp. */
  private static void pair(JsonGenerator g, long tMs, double v, Text text) throws IOException {
    g.writeStartArray();
    if (tMs % 1000 == 0) {
      g.writeNumber(tMs / 1000);
    } else {
      g.writeNumber(pointTime(tMs).toString());
    }
    text.write(g, v);
    g.writeEndArray();
  }

  /** A first guess of the answer's size, so that most answers need no buffer growth. */
  private static int estimate(Value v) {
    int points = switch (v) {
      case Matrix m -> {
        int n = 0;
        for (RangeSeries s : m.series()) {
          n += s.points().size() + 4;
        }
        yield n;
      }
      case InstantVector iv -> iv.samples().size() * 4;
      default -> 1;
    };
    return (int) Math.min(1 << 20, 128 + 32L * points);
  }

  /**
   * A vector or matrix sample's time as Prometheus 2.42 writes it (jsonutil.MarshalTimestamp):
   * whole seconds, or three decimals when there is a fraction: {@code 1796029440},
   * {@code 1796029440.500}, {@code -1.050}.
   */
  static BigDecimal pointTime(long ms) {
    return ms % 1000 == 0 ? BigDecimal.valueOf(ms / 1000) : BigDecimal.valueOf(ms, 3);
  }

  /**
   * A scalar's or string's time: unix seconds as the shortest JSON number, as Go's encoding/json
   * writes Prometheus' float: {@code 1796029440}, {@code 1796029440.5}, never
   * {@code 1.79602944E+9}.
   */
  static BigDecimal seconds(long ms) {
    BigDecimal s = BigDecimal.valueOf(ms, 3).stripTrailingZeros();
    return s.scale() < 0 ? s.setScale(0) : s;
  }
}
