package syslens.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryBenchTest {
  @Test
  void rotated_twoServers_alternateWhoGoesFirst() {
    List<String> servers = List.of("syslens", "prometheus");
    Map<String, Integer> first = new HashMap<>();
    for (int round = 0; round < 40; round++) {
      List<String> order = QueryBench.rotated(servers, round);
      assertThat(order).containsExactlyInAnyOrderElementsOf(servers);
      first.merge(order.get(0), 1, Integer::sum);
    }
    assertThat(first).containsEntry("syslens", 20).containsEntry("prometheus", 20);
  }

  @Test
  void rotated_classes_eachStartsARoundInTurn() {
    List<QueryBench.QueryClass> classes = QueryBench.CLASSES;
    for (int round = 0; round < classes.size(); round++) {
      List<QueryBench.QueryClass> order = QueryBench.rotated(classes, round);
      assertThat(order).hasSize(classes.size()).containsExactlyInAnyOrderElementsOf(classes);
      assertThat(order.get(0)).isEqualTo(classes.get(round));
    }
    assertThat(QueryBench.rotated(classes, -1).get(0)).isEqualTo(classes.get(classes.size() - 1));
  }
}
