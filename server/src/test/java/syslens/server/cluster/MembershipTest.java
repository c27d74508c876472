package syslens.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import syslens.security.PostgresServer;

/** Heartbeats, leases and rendezvous hashing on a real PostgreSQL 15 (the tables of migrations V11 and V12). */
class MembershipTest {
  private static PostgresServer pg;
  private static DataSource db;

  @BeforeAll
  static void startPostgres() throws Exception {
    assertThat(PostgresServer.available()).as("PostgreSQL 15 (apt-get install postgresql)").isTrue();
    pg = PostgresServer.start();
    db = pg.dataSource();
    for (String migration : List.of("V11__cluster_members_and_leases.sql", "V12__vcenter_status_and_member_sessions.sql")) {
      String ddl;
      try (var in = MembershipTest.class.getResourceAsStream("/db/migration/" + migration)) {
        ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.execute(ddl);
      }
    }
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void acquire_heldByAnother_refusedUntilReleasedOrExpired() throws Exception {
    Membership a = Membership.create(db, "a", List.of("collector"), "a:1");
    Membership b = Membership.create(db, "b", List.of("collector"), "b:1");
    assertThat(a.acquire("vcenter:x")).isTrue();
    assertThat(b.acquire("vcenter:x")).isFalse();
    assertThat(a.acquire("vcenter:x")).as("renewed by its holder").isTrue();
    assertThat(a.holds("vcenter:x")).isTrue();
    assertThat(b.holds("vcenter:x")).isFalse();
    a.release("vcenter:x");
    assertThat(a.holds("vcenter:x")).isFalse();
    assertThat(b.acquire("vcenter:x")).isTrue();
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE cluster_leases SET expires_at = 0 WHERE name = 'vcenter:x'"); // its holder went silent
    }
    assertThat(a.acquire("vcenter:x")).as("an expired lease is taken").isTrue();
    assertThat(b.acquire("vcenter:x")).isFalse();
    assertThat(a.leases("vcenter:")).containsOnlyKeys("vcenter:x");
    assertThat(a.leases("vcenter:").get("vcenter:x").owner()).isEqualTo("a");
  }

  @Test
  void holds_lastRenewalOlderThanTtlLessMargin_false() {
    AtomicLong nanos = new AtomicLong(1_000_000_000L);
    Membership a = Membership.create(db, "held", List.of("alerting"), "h:1", nanos::get);
    assertThat(a.acquire("notifier-test")).isTrue();
    nanos.addAndGet(Membership.LEASE_TTL.minus(Membership.LOCAL_MARGIN).toNanos() - 1);
    assertThat(a.holds("notifier-test")).isTrue();
    nanos.addAndGet(1);
    assertThat(a.holds("notifier-test")).as("stops before another may take it").isFalse();
    assertThat(a.held()).doesNotContain("notifier-test");
  }

  @Test
  void heartbeat_everyLiveMemberOfARoleOwnsItsShareAndNoKeyTwice() {
    Membership a = Membership.create(db, "m-a", List.of("alerting", "api"), "a:2");
    Membership b = Membership.create(db, "m-b", List.of("alerting"), "b:2");
    Membership c = Membership.create(db, "m-c", List.of("collector"), "c:2");
    for (Membership m : List.of(a, b, c, a)) {
      assertThat(m.heartbeat()).isTrue();
    }
    assertThat(a.live("alerting")).contains("m-a", "m-b").doesNotContain("m-c");
    assertThat(a.healthy()).isTrue();
    int ownedByA = 0;
    for (int k = 0; k < 200; k++) {
      String g = "group-" + k;
      assertThat(a.owns("alerting", g) ^ b.owns("alerting", g)).as(g).isTrue();
      assertThat(c.owns("alerting", g)).isFalse();
      ownedByA += a.owns("alerting", g) ? 1 : 0;
    }
    assertThat(ownedByA).isBetween(60, 140);
    a.leave();
    b.heartbeat();
    assertThat(b.live("alerting")).doesNotContain("m-a");
  }

  @Test
  void owner_memberRemoved_onlyItsKeysMoveSpreadOverTheOthers() {
    List<String> three = List.of("i-1", "i-2", "i-3");
    List<String> two = List.of("i-1", "i-3");
    Map<String, Integer> movedTo = new HashMap<>();
    List<String> keys = new ArrayList<>();
    for (int k = 0; k < 3_000; k++) {
      keys.add("rule-group-" + k);
    }
    for (String key : keys) {
      String before = Membership.owner(key, three);
      String after = Membership.owner(key, two);
      if (before.equals("i-2")) {
        movedTo.merge(after, 1, Integer::sum);
      } else {
        assertThat(after).as(key).isEqualTo(before);
      }
    }
    assertThat(movedTo.keySet()).containsExactlyInAnyOrder("i-1", "i-3");
    assertThat(movedTo.values()).allSatisfy(n -> assertThat(n).isBetween(350, 650));
    assertThat(Membership.owner("x", List.of())).isNull();
  }

  /**
   * An instance killed with SIGKILL: the kernel closes its sockets and PostgreSQL ends its
   * session (here: pg_terminate_backend, the same end as seen from the database). The others
   * count it gone at their next heartbeat, though its last heartbeat is fresh, and own its keys;
   * an instance that was only cut off opens a new session at its next heartbeat and is back.
   */
  @Test
  void heartbeat_memberSessionEnded_goneAtTheNextHeartbeatNotAfterTheTimeout() throws Exception {
    Membership a = Membership.create(db, "sess-a", List.of("sessiontest"), "a:9");
    Membership b = Membership.create(db, "sess-b", List.of("sessiontest"), "b:9");
    assertThat(a.heartbeat()).isTrue();
    assertThat(b.heartbeat()).isTrue();
    assertThat(b.live("sessiontest")).containsExactly("sess-a", "sess-b");
    long ended = System.nanoTime();
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_terminate_backend(session_pid) FROM cluster_members WHERE instance_id = 'sess-a'");
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2))
        .pollInterval(java.time.Duration.ofMillis(20))
        .until(() -> b.heartbeat() && b.live("sessiontest").equals(List.of("sess-b")));
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - ended)).isLessThan(Membership.MEMBER_TIMEOUT);
    for (int k = 0; k < 20; k++) {
      assertThat(b.owns("sessiontest", "group-" + k)).isTrue();
    }
    // sess-a was alive after all: its heartbeat over the ended session fails, the next opens a new one.
    assertThat(a.heartbeat()).isFalse();
    assertThat(a.heartbeat()).isTrue();
    assertThat(b.heartbeat()).isTrue();
    assertThat(b.live("sessiontest")).containsExactly("sess-a", "sess-b");
    a.leave();
    b.leave();
  }
}
