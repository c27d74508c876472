package syslens.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.alerting.Alert;
import syslens.query.Engine;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.tsdb.Tsdb;

class RuleManagerTest {
  private static final AtomicInteger DB = new AtomicInteger();
  private static final long M = 60_000;

  @TempDir
  Path tmp;
  private Tsdb tsdb;
  private DataSource db;
  private final List<Alert> sent = new CopyOnWriteArrayList<>();
  private final List<RuleManager> managers = new ArrayList<>();

  @BeforeEach
  void open() {
    tsdb = Tsdb.builder(tmp.resolve("tsdb")).build();
    db = JdbcConnectionPool.create("jdbc:h2:mem:rules" + DB.incrementAndGet()
        + ";DB_CLOSE_DELAY=-1", "sa", "");
  }

  @AfterEach
  void close() {
    managers.forEach(RuleManager::close);
    tsdb.close();
  }

  private RuleManager manager(StateStore store, GroupSpec... groups) {
    RuleManager m = RuleManager.builder(tsdb, q -> Engine.builder(q).build(), sent::addAll)
        .store(store).flapping(3, Duration.ofHours(1)).threads(2).build();
    managers.add(m);
    m.setGroups(List.of(groups));
    return m;
  }

  private void write(String metric, String node, long t, double v) {
    Appender a = tsdb.appender();
    a.append(Labels.of("__name__", metric, "node", node), t, v);
    a.commit();
  }

  private static GroupSpec group(String yaml) {
    return RuleFiles.parseGroup(yaml);
  }

  private List<Alert> drain() {
    List<Alert> out = List.copyOf(sent);
    sent.clear();
    return out;
  }

  private double instant(String expr, long t) {
    var v = (syslens.query.InstantVector) Engine.builder(tsdb).build().instantQuery(expr, t);
    return v.samples().isEmpty() ? Double.NaN : v.samples().get(0).value();
  }

  @Test
  void evalGroup_alertsSeries_pendingThenFiringThenStaleWhenResolved() {
    RuleManager m = RuleManager.builder(tsdb, q -> Engine.builder(q).build(), sent::addAll)
        .store(StateStore.NONE).appenders(() -> tsdb.appender()).threads(1).build();
    managers.add(m);
    m.setGroups(List.of(group("{\"name\":\"g\",\"interval\":\"1m\",\"rules\":[{\"alert\":\"Hot\","
        + "\"expr\":\"temp > 50\",\"for\":\"1m\",\"level\":\"warning\"}]}")));
    long t0 = 1_000 * M;
    write("temp", "n1", t0, 60);
    m.evalGroup("g", t0);
    String pending = "ALERTS{alertname=\"Hot\",alertstate=\"pending\",node=\"n1\",severity=\"warning\"}";
    String firing = "ALERTS{alertname=\"Hot\",alertstate=\"firing\",node=\"n1\"}";
    assertThat(instant(pending, t0)).isEqualTo(1);
    assertThat(instant("ALERTS_FOR_STATE{alertname=\"Hot\",node=\"n1\"}", t0)).isEqualTo(t0 / 1000.0);
    write("temp", "n1", t0 + M, 61);
    m.evalGroup("g", t0 + M);
    assertThat(instant(firing, t0 + M)).isEqualTo(1);
    assertThat(instant(pending, t0 + M)).as("the pending series ends with a stale marker").isNaN();
    write("temp", "n1", t0 + 2 * M, 10);
    m.evalGroup("g", t0 + 2 * M);
    assertThat(instant(firing, t0 + 2 * M)).as("resolved: no ALERTS series").isNaN();
    assertThat(instant("ALERTS_FOR_STATE", t0 + 2 * M)).isNaN();
  }

  @Test
  void evalGroup_upZero_nodeDownFiresAtOnce() {
    RuleManager m = manager(StateStore.NONE, BuiltinRules.group());
    long t0 = 1_000 * M;
    write("up", "n1", t0, 1);
    write("up", "n2", t0, 1);
    m.evalGroup(BuiltinRules.GROUP, t0);
    assertThat(drain()).isEmpty();

    write("up", "n1", t0 + 10_000, 0);
    m.evalGroup(BuiltinRules.GROUP, t0 + 10_000);

    assertThat(drain()).singleElement().satisfies(a -> {
      assertThat((Object) a.labels()).isEqualTo(Labels.of("alertname", "NodeDown", "node", "n1",
          "severity", "critical"));
      assertThat(a.firingAt(Instant.ofEpochMilli(t0 + 10_000))).isTrue();
      assertThat(a.annotations().get("summary")).startsWith("Node n1 ");
      assertThat(a.generatorUrl()).contains("expr=up+%3D%3D+0");
    });
  }

  @Test
  void restart_keepsActiveAtAndDoesNotResendEarly() {
    JdbcStateStore store = JdbcStateStore.create(db);
    GroupSpec g = group("{\"name\":\"g\",\"interval\":\"1m\",\"rules\":[{\"alert\":\"Hot\","
        + "\"expr\":\"temp > 50\",\"for\":\"2m\",\"level\":\"warning\"}]}");
    RuleManager m1 = manager(store, g);
    for (long t = 0; t <= 10 * M; t += M) {
      write("temp", "n1", t, 60);
    }
    m1.evalGroup("g", 0);
    m1.evalGroup("g", M);
    assertThat(drain()).isEmpty();
    m1.close();

    // Restart: pending since 0 carries on and fires at 2m with startsAt = 0.
    RuleManager m2 = manager(store, g);
    m2.evalGroup("g", 2 * M);
    assertThat(drain()).singleElement().satisfies(a ->
        assertThat(a.startsAt()).isEqualTo(Instant.EPOCH));
    m2.close();

    // Restart again: sent at 2m, so not re-sent before the 1m resend delay.
    RuleManager m3 = manager(store, g);
    m3.evalGroup("g", 2 * M + 30_000);
    assertThat(drain()).isEmpty();
    m3.evalGroup("g", 3 * M);
    assertThat(drain()).singleElement().satisfies(a ->
        assertThat(a.startsAt()).isEqualTo(Instant.EPOCH));

    List<StateStore.Transition> h = store.history(new StateStore.HistoryQuery("Hot", "n1",
        "warning", 0, Long.MAX_VALUE, 100));
    assertThat(h).extracting(StateStore.Transition::to).containsExactly("firing", "pending");
    assertThat(h.get(0).atMs()).isEqualTo(2 * M);
    // Paging: the second row alone, then nothing past the end.
    assertThat(store.history(new StateStore.HistoryQuery("Hot", "n1", null, 0, Long.MAX_VALUE,
        1, 1))).extracting(StateStore.Transition::to).containsExactly("pending");
    assertThat(store.history(new StateStore.HistoryQuery("Hot", "n1", null, 0, Long.MAX_VALUE,
        10, 2))).isEmpty();
    assertThat(store.history(new StateStore.HistoryQuery("Hot", "n2", null, 0, Long.MAX_VALUE,
        100))).isEmpty();
  }

  @Test
  void resolved_resentUntilRetentionThenForgotten() {
    RuleManager m = manager(StateStore.NONE, group("{\"name\":\"g\",\"interval\":\"1m\","
        + "\"rules\":[{\"alert\":\"Hot\",\"expr\":\"temp > 50\"}]}"));
    write("temp", "n1", 0, 60);
    m.evalGroup("g", 0);
    assertThat(drain()).hasSize(1);
    for (long t = M; t <= 20 * M; t += M) {
      write("temp", "n1", t, 10);
    }
    m.evalGroup("g", M);
    assertThat(drain()).singleElement().satisfies(a -> {
      assertThat(a.endsAt()).isEqualTo(Instant.ofEpochMilli(M));
      assertThat(a.firingAt(Instant.ofEpochMilli(M))).isFalse();
    });
    m.evalGroup("g", 2 * M);
    assertThat(drain()).hasSize(1);
    m.evalGroup("g", 16 * M);
    assertThat(drain()).hasSize(1);
    m.evalGroup("g", 17 * M);
    assertThat(drain()).isEmpty();
    assertThat(m.groups().get(0).rules().get(0).alerts()).isEmpty();
  }

  @Test
  void evalGroup_instanceChangingOften_isMarkedFlapping() {
    RuleManager m = manager(StateStore.NONE, group("{\"name\":\"g\",\"interval\":\"1m\","
        + "\"rules\":[{\"alert\":\"Hot\",\"expr\":\"temp > 50\"}]}"));
    for (int i = 0; i < 6; i++) {
      write("temp", "n1", i * M, i % 2 == 0 ? 60 : 10);
      m.evalGroup("g", i * M);
    }
    write("temp", "n1", 6 * M, 60);
    m.evalGroup("g", 6 * M);

    List<Alert> alerts = drain();
    assertThat(alerts.get(0).annotations()).doesNotContainKey("flapping");
    assertThat(alerts.get(alerts.size() - 1).annotations()).containsEntry("flapping", "true");
  }

  @Test
  void evalGroup_templateError_sendsFallbackText() {
    RuleManager m = manager(StateStore.NONE, new GroupSpec("g", M, List.of(new RuleSpec("Hot",
        RuleSpec.Kind.THRESHOLD, "temp > 50", null, null, null, 0, 0, null, Map.of(),
        Map.of("summary", "{{ $value | nosuch }}")))));
    write("temp", "n1", 0, 60);
    m.evalGroup("g", 0);

    assertThat(drain()).singleElement().satisfies(a -> assertThat(a.annotations().get("summary"))
        .isEqualTo("{{ $value | nosuch }} [template error: function \"nosuch\" not defined "
            + "(expected: humanize, humanize1024, humanizePercentage, humanizeDuration, printf, "
            + "toUpper, toLower, title)]"));
  }

  @Test
  void setGroups_compositeNamingUnknownRule_refusedAndOldRulesKept() {
    RuleManager m = manager(StateStore.NONE, group("{\"name\":\"g\",\"rules\":[{\"alert\":\"A\","
        + "\"expr\":\"up == 0\"}]}"));
    GroupSpec bad = group("{\"name\":\"g\",\"rules\":[{\"alert\":\"C\",\"kind\":\"composite\","
        + "\"composite\":{\"op\":\"and\",\"rules\":[\"A\",\"B\"]}}]}");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.setGroups(List.of(bad)))
        .hasMessage("group \"g\" rule \"C\" composite: rules: \"A\" not found (expected: the "
            + "name of an alerting rule)");
    assertThat(m.groups().get(0).rules()).extracting(r -> r.spec().name()).containsExactly("A");
  }
}
