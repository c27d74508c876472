package syslens.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.Series;
import syslens.storage.SeriesSet;

/**
 * Reads InfluxDB 1.x with InfluxQL: a selector becomes {@code SELECT "value" FROM <measurement or
 * /regex/> WHERE <tag matchers> AND time >= mint AND time <= maxt GROUP BY *} (regexes anchored,
 * as PromQL's are), label names {@code SHOW TAG KEYS} plus {@code __name__}, label values {@code
 * SHOW TAG VALUES} or {@code SHOW MEASUREMENTS}. The answer is checked against the matchers again,
 * so what InfluxQL matches more loosely (a tag compared as a string) is filtered here. Tag values
 * go through {@link LineProtocol#toStored} and {@link LineProtocol#fromStored} (a value ending in a
 * backslash is stored with a space appended); a regex matcher also lets such stored values through,
 * to be decided here on the value read back.
 */
final class InfluxQuerier implements Querier {
  private final StoreClient client;
  private final String db;
  private final long mint;
  private final long maxt;

  InfluxQuerier(StoreClient client, String db, long mint, long maxt) {
    this.client = client;
    this.db = db;
    this.mint = mint;
    this.maxt = maxt;
  }

  @Override
  public SeriesSet select(List<Matcher> matchers) {
    RemoteQuerier.requireSelective(matchers);
    JsonNode result = client.influx(db, query(matchers, mint, maxt));
    Map<Labels, Series> out = new TreeMap<>();
    for (JsonNode s : result.path("series")) {
      Map<String, String> labels = new TreeMap<>();
      s.path("tags").properties().forEach(e -> {
        if (!e.getValue().asText().isEmpty()) {
          labels.put(e.getKey(), LineProtocol.fromStored(e.getValue().asText()));
        }
      });
      labels.put(Labels.METRIC_NAME, s.path("name").asText());
      Labels l = Labels.fromMap(labels);
      if (!matchers.stream().allMatch(m -> m.matches(l))) {
        continue;
      }
      JsonNode values = s.path("values");
      long[] ts = new long[values.size()];
      double[] vs = new double[values.size()];
      int n = 0;
      for (JsonNode row : values) {
        if (row.get(1) == null || row.get(1).isNull()) {
          continue;
        }
        ts[n] = row.get(0).asLong();
        vs[n] = row.get(1).asDouble();
        n++;
      }
      if (n > 0) {
        int count = n;
        out.put(l, new Series() {
          @Override
          public Labels labels() {
            return l;
          }

          @Override
          public syslens.storage.SampleIterator iterator() {
            return new RemoteQuerier.ArrayIterator(ts, vs, count);
          }
        });
      }
    }
    return SeriesSet.of(new ArrayList<>(out.values()));
  }

  /** The InfluxQL of a selection. */
  static String query(List<Matcher> matchers, long mint, long maxt) {
    String from = "/.*/";
    StringBuilder where = new StringBuilder();
    for (Matcher m : matchers) {
      if (m.name().equals(Labels.METRIC_NAME)) {
        if (m.type() == Matcher.Type.EQUAL) {
          from = ident(m.value());
        } else if (m.type() == Matcher.Type.REGEX) {
          from = regex(m.value());
        }
        continue; // negative name matchers: filtered after the answer
      }
      String tag = ident(m.name());
      // A stored value ending in "\\ " may read back as another value (LineProtocol.fromStored):
      // regexes let those through, the matchers are applied again to what is read back.
      where.append(switch (m.type()) {
        case EQUAL -> tag + " = " + string(LineProtocol.toStored(m.value()));
        case NOT_EQUAL -> tag + " != " + string(LineProtocol.toStored(m.value()));
        case REGEX -> "(" + tag + " =~ " + regex(m.value()) + " OR " + tag + " =~ " + STORED_BACKSLASH + ")";
        case NOT_REGEX -> "(" + tag + " !~ " + regex(m.value()) + " OR " + tag + " =~ " + STORED_BACKSLASH + ")";
      }).append(" AND ");
    }
    return "SELECT \"value\" FROM " + from + " WHERE " + where + "time >= " + Math.max(0, mint) + "ms AND time <= "
        + Math.max(0, maxt) + "ms GROUP BY *";
  }

  /** Stored tag values that {@link LineProtocol#fromStored} changes: a backslash, then spaces. */
  private static final String STORED_BACKSLASH = "/\\\\ +$/";

  static String ident(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static String string(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** An anchored InfluxQL regex literal (PromQL regexes match the whole value). */
  static String regex(String re) {
    return "/^(?:" + re.replace("/", "\\/") + ")$/";
  }

  @Override
  public List<String> labelNames() {
    TreeSet<String> names = new TreeSet<>();
    names.add(Labels.METRIC_NAME);
    for (JsonNode s : client.influx(db, "SHOW TAG KEYS").path("series")) {
      for (JsonNode row : s.path("values")) {
        names.add(row.get(0).asText());
      }
    }
    return new ArrayList<>(names);
  }

  @Override
  public List<String> labelValues(String name) {
    TreeSet<String> values = new TreeSet<>();
    boolean metric = name.equals(Labels.METRIC_NAME);
    String q = metric ? "SHOW MEASUREMENTS" : "SHOW TAG VALUES WITH KEY = " + ident(name);
    for (JsonNode s : client.influx(db, q).path("series")) {
      for (JsonNode row : s.path("values")) {
        values.add(metric ? row.get(0).asText() : LineProtocol.fromStored(row.get(1).asText()));
      }
    }
    return new ArrayList<>(values);
  }

  @Override
  public void close() {}
}
