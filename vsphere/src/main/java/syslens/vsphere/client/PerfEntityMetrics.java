package syslens.vsphere.client;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/** QueryPerf's answer for one entity: sample timestamps (ms) and one value series per metric. */
public record PerfEntityMetrics(Moref entity, long[] timestampsMs, List<Series> series) {

  /** Values aligned with the timestamps; vCenter's -1 means "no value". */
  public record Series(PerfMetricId id, long[] values) {}

  /**
   * Reads a QueryPerfResponse straight from the stream (the reader on its START_ELEMENT): no
   * element tree, one timestamp parse per distinct timestamp in the response (every entity of a
   * batch shares the same sample times).
   */
  static List<PerfEntityMetrics> readResponse(XMLStreamReader r) throws XMLStreamException {
    List<PerfEntityMetrics> out = new ArrayList<>();
    Map<String, Long> times = new HashMap<>();
    while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
      if (r.getLocalName().equals("returnval")) {
        out.add(readEntity(r, times));
      } else {
        skip(r);
      }
    }
    return out;
  }

  private static PerfEntityMetrics readEntity(XMLStreamReader r, Map<String, Long> times) throws XMLStreamException {
    Moref entity = new Moref("", "");
    long[] ts = new long[4];
    int nTs = 0;
    List<Series> series = new ArrayList<>();
    while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
      switch (r.getLocalName()) {
        case "entity" -> {
          String type = r.getAttributeValue(null, "type");
          entity = new Moref(type == null ? "" : type, r.getElementText().trim());
        }
        case "sampleInfo" -> {
          while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
            if (r.getLocalName().equals("timestamp")) {
              String t = r.getElementText().trim();
              if (nTs == ts.length) {
                ts = Arrays.copyOf(ts, nTs * 2);
              }
              ts[nTs++] = times.computeIfAbsent(t, s -> OffsetDateTime.parse(s).toInstant().toEpochMilli());
            } else {
              skip(r);
            }
          }
        }
        case "value" -> series.add(readSeries(r));
        default -> skip(r);
      }
    }
    return new PerfEntityMetrics(entity, Arrays.copyOf(ts, nTs), series);
  }

  private static Series readSeries(XMLStreamReader r) throws XMLStreamException {
    int counterId = -1;
    String instance = "";
    long[] values = new long[4];
    int n = 0;
    while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
      switch (r.getLocalName()) {
        case "id" -> {
          while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
            switch (r.getLocalName()) {
              case "counterId" -> counterId = Integer.parseInt(r.getElementText().trim());
              case "instance" -> instance = r.getElementText();
              default -> skip(r);
            }
          }
        }
        case "value" -> {
          if (n == values.length) {
            values = Arrays.copyOf(values, n * 2);
          }
          values[n++] = Long.parseLong(r.getElementText().trim());
        }
        default -> skip(r);
      }
    }
    return new Series(new PerfMetricId(counterId, instance), Arrays.copyOf(values, n));
  }

  /** Skips the element the reader is on, leaving it on that element's END_ELEMENT. */
  private static void skip(XMLStreamReader r) throws XMLStreamException {
    for (int depth = 1; depth > 0; ) {
      int ev = r.next();
      if (ev == XMLStreamConstants.START_ELEMENT) {
        depth++;
      } else if (ev == XMLStreamConstants.END_ELEMENT) {
        depth--;
      }
    }
  }
}
