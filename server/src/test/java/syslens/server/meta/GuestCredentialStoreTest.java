package syslens.server.meta;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.security.PostgresServer;
import syslens.vsphere.guest.GuestCredential;

/** Guest credentials and pinned host keys round-trip through both metadata databases (H2, PostgreSQL 15). */
class GuestCredentialStoreTest {
  @TempDir Path dir;

  static final GuestCredential SSH = new GuestCredential("id1", "linux-prod", GuestCredential.Kind.SSH,
      new GuestCredential.Selector("web-*", Map.of("cluster", "prod"), null), "127.0.0.1:2222", 0, "monitor",
      "v1:sealed-password", "v1:sealed-key", true, null, List.of(), Duration.ofSeconds(15), true);
  static final GuestCredential SCRIPT = new GuestCredential("id2", "apps", GuestCredential.Kind.SCRIPT,
      new GuestCredential.Selector(null, null, "10.0.0.7"), null, 0, null, null, null, false, null,
      List.of("/opt/probe.sh", "--fast"), Duration.ofMillis(30_500), false);

  static void roundTrip(MetaStore db) {
    GuestCredentialStore store = new GuestCredentialStore(db, Clock.systemUTC());
    store.save(SSH);
    store.save(SCRIPT);
    assertThat(store.list()).containsExactly(SCRIPT, SSH); // by name
    GuestCredential renamed = new GuestCredential("id1", "linux-all", GuestCredential.Kind.SSH, SSH.selector(),
        null, 2200, "monitor", "v1:other", null, true, null, List.of(), Duration.ofSeconds(5), true);
    store.save(renamed);
    assertThat(store.list()).containsExactly(SCRIPT, renamed);
    assertThat(store.delete("id2")).isTrue();
    assertThat(store.delete("id2")).isFalse();

    assertThat(store.hostKey("vm:vc:1")).isEmpty();
    store.pinHostKey("vm:vc:1", "SHA256:first");
    store.pinHostKey("vm:vc:1", "SHA256:second"); // the first pin stands
    assertThat(store.hostKey("vm:vc:1")).contains("SHA256:first");
    assertThat(store.forgetHostKey("vm:vc:1")).isTrue();
    assertThat(store.hostKey("vm:vc:1")).isEmpty();
  }

  @Test
  void h2_roundTripsCredentialsAndPins() {
    try (MetaStore db = MetaStore.openH2(dir)) {
      roundTrip(db);
    }
  }

  @Test
  void postgres_roundTripsCredentialsAndPins() throws Exception {
    assertThat(PostgresServer.available()).as("PostgreSQL 15 (apt-get install postgresql; .ci/run does it)").isTrue();
    try (PostgresServer pg = PostgresServer.start();
        MetaStore db = MetaStore.openPostgres("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "syslens", null)) {
      roundTrip(db);
    }
  }
}
