package syslens.agent.collect;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class Fixtures {

  private Fixtures() {}

  static Path proc() {
    return resource("/fixtures/proc");
  }

  static Path sys() {
    return resource("/fixtures/sys");
  }

  static Path resource(String name) {
    try {
      return Path.of(Fixtures.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Metric> collect(Collector c) throws Exception {
    List<Metric> out = new ArrayList<>();
    c.collect((name, value, labels) -> out.add(Metric.of(name, value, labels)));
    return out;
  }

  /** key() -> value, failing on duplicate series. */
  static Map<String, Double> byKey(List<Metric> metrics) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (Metric metric : metrics) {
      if (m.put(metric.key(), metric.value()) != null) {
        throw new AssertionError("duplicate series " + metric.key());
      }
    }
    return m;
  }
}
