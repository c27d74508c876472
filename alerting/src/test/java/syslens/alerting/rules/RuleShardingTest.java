package syslens.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.alerting.Alert;
import syslens.query.Engine;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.tsdb.Tsdb;

/**
 * Two rule managers sharing one state store, as two alerting instances share the metadata
 * database: only the owner evaluates a group on its schedule, and a manager that takes a group
 * over carries its alert state on (same start, not sent again before the resend delay).
 */
class RuleShardingTest {
  @TempDir Path tmp;

  @Test
  void owns_groupMovesToOtherManager_stateTakenOverNotSentAgainUntilResendAll() {
    JdbcConnectionPool db = JdbcConnectionPool.create("jdbc:h2:mem:sharding;DB_CLOSE_DELAY=-1", "sa", "");
    JdbcStateStore store = JdbcStateStore.create(db);
    AtomicReference<String> owner = new AtomicReference<>("a");
    Map<String, List<Alert>> sent = Map.of("a", new CopyOnWriteArrayList<>(), "b", new CopyOnWriteArrayList<>());
    Map<String, AtomicInteger> rounds = new ConcurrentHashMap<>();
    try (Tsdb tsdb = Tsdb.builder(tmp.resolve("tsdb")).build()) {
      Appender app = tsdb.appender();
      app.append(Labels.of("__name__", "temp", "node", "n1"), System.currentTimeMillis(), 60);
      app.commit();
      GroupSpec g = RuleFiles.parseGroup("{\"name\":\"g\",\"interval\":\"1s\",\"rules\":[{\"alert\":\"Hot\","
          + "\"expr\":\"temp > 50\",\"level\":\"warning\"}]}");
      try (RuleManager a = manager("a", tsdb, store, owner, sent, rounds, g);
          RuleManager b = manager("b", tsdb, store, owner, sent, rounds, g)) {
        a.start();
        b.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !sent.get("a").isEmpty());
        assertThat(sent.get("b")).as("not its group").isEmpty();
        assertThat(rounds).doesNotContainKey("b");
        Alert fired = sent.get("a").get(0);

        owner.set("b"); // a left the cluster
        await().atMost(Duration.ofSeconds(10)).until(() -> rounds.containsKey("b") && rounds.get("b").get() >= 2);
        assertThat(sent.get("b")).as("taken over as firing and just sent: nothing new to send").isEmpty();
        assertThat(b.groups().get(0).rules().get(0).alerts()).singleElement()
            .satisfies(v -> {
              assertThat(v.state()).isEqualTo("firing");
              assertThat(v.activeAt()).isEqualTo(fired.startsAt().toEpochMilli());
            });
        int aRounds = rounds.get("a").get();

        b.resendAll(); // another instance took notification over
        await().atMost(Duration.ofSeconds(10)).until(() -> !sent.get("b").isEmpty());
        assertThat(sent.get("b").get(0).startsAt()).as("the same alert, not a new one").isEqualTo(fired.startsAt());
        assertThat(rounds.get("a").get()).as("a evaluates no more").isEqualTo(aRounds);
      }
    }
  }

  private static RuleManager manager(String name, Tsdb tsdb, StateStore store, AtomicReference<String> owner,
      Map<String, List<Alert>> sent, Map<String, AtomicInteger> rounds, GroupSpec g) {
    RuleManager m = RuleManager.builder(tsdb, q -> Engine.builder(q).build(), sent.get(name)::addAll).store(store)
        .threads(1).owns(group -> owner.get().equals(name))
        .listener((group, t, d) -> rounds.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet()).build();
    m.setGroups(List.of(g));
    return m;
  }
}
