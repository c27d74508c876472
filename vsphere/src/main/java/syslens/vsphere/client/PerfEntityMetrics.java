package syslens.vsphere.client;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** QueryPerf's answer for one entity: sample timestamps (ms) and one value series per metric. */
public record PerfEntityMetrics(Moref entity, long[] timestampsMs, List<Series> series) {

  /** Values aligned with the timestamps; vCenter's -1 means "no value". */
  public record Series(PerfMetricId id, long[] values) {}

  static PerfEntityMetrics from(Xml rv) {
    List<Xml> infos = rv.all("sampleInfo");
    long[] ts = new long[infos.size()];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = OffsetDateTime.parse(infos.get(i).childText("timestamp").trim()).toInstant().toEpochMilli();
    }
    List<Series> series = new ArrayList<>();
    for (Xml v : rv.all("value")) {
      Xml id = v.child("id");
      PerfMetricId mid = new PerfMetricId(Integer.parseInt(id.childText("counterId").trim()), id.childText("instance"));
      List<Xml> vals = v.all("value");
      long[] values = new long[vals.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = Long.parseLong(vals.get(i).text().trim());
      }
      series.add(new Series(mid, values));
    }
    Xml entity = rv.child("entity");
    return new PerfEntityMetrics(entity == null ? new Moref("", "") : entity.moref(), ts, series);
  }
}
