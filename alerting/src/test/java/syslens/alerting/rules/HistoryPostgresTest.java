package syslens.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import syslens.security.PostgresServer;
import syslens.storage.Labels;

/** Alert history on PostgreSQL 15 (started on loopback): filters, newest first, paged by offset. */
class HistoryPostgresTest {
  @Test
  void history_onPostgres_pagesNewestFirstByOffset() throws Exception {
    assumeTrue(PostgresServer.available(), "PostgreSQL 15 is not installed");
    try (PostgresServer pg = PostgresServer.start()) {
      JdbcStateStore store = JdbcStateStore.create(pg.dataSource());
      List<StateStore.Transition> changes = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        changes.add(new StateStore.Transition(1000L * i, "g/Hot", "Hot", "n1", "critical",
            i % 2 == 0 ? "pending" : "firing", i % 2 == 0 ? "firing" : "inactive", i,
            Labels.of("alertname", "Hot", "node", "n1")));
      }
      changes.add(new StateStore.Transition(9000L, "g/Other", "Other", "n2", "warning",
          "inactive", "pending", 1, Labels.of("alertname", "Other", "node", "n2")));
      store.write(List.of(), List.of(), changes);

      assertThat(store.history(new StateStore.HistoryQuery("Hot", null, null, 0, 10_000, 2, 0)))
          .extracting(StateStore.Transition::atMs).containsExactly(4000L, 3000L);
      assertThat(store.history(new StateStore.HistoryQuery("Hot", "n1", "critical", 0, 10_000, 2,
          2))).extracting(StateStore.Transition::atMs).containsExactly(2000L, 1000L);
      assertThat(store.history(new StateStore.HistoryQuery("Hot", null, null, 0, 10_000, 2, 4)))
          .extracting(StateStore.Transition::atMs).containsExactly(0L);
      assertThat(store.history(new StateStore.HistoryQuery(null, null, null, 0, 10_000, 10, 6)))
          .isEmpty();
    }
  }
}
