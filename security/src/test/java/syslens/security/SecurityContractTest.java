package syslens.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The security module's behaviour on a real metadata database; run on H2 and on PostgreSQL by
 * the subclasses, so the same migrations and SQL are proven on both.
 */
abstract class SecurityContractTest {
  static final String PW = "Adm1n-Passw0rd-Long";
  static final String SRC = "127.0.0.1";
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  static final Users.Actor ADMIN = new Users.Actor("admin", SRC);

  MutableClock clock;
  DataSource db;
  Security security;
  String token = "enroll-token-0123456789";

  /** A fresh, empty database for each test. */
  abstract DataSource freshDatabase() throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    db = freshDatabase();
    security = Security.builder(db).clock(clock).jwtKey(KEY).enrollmentToken(() -> token).build();
    security.users().bootstrapAdmin(PW);
  }

  LoginResult.Success login(String user, String pw) {
    LoginResult r = security.logins().login(user, pw, null, SRC);
    assertThat(r).isInstanceOf(LoginResult.Success.class);
    return (LoginResult.Success) r;
  }

  @Test
  void migrate_twice_isIdempotent() {
    SecuritySchema.migrate(db);
    assertThat(security.users().count()).isEqualTo(1);
  }

  @Test
  void authenticate_tokenOfDeletedUser_isRefusedAtOnce() {
    User bob = security.users().create("bob", "Tr0ub4dor-and-3x", "viewer", false, "en", ADMIN);
    String access = login("bob", "Tr0ub4dor-and-3x").accessToken();
    assertThat(security.authenticate(access)).isPresent();
    security.users().delete(bob, ADMIN);
    assertThat(security.authenticate(access)).isEmpty();
    assertThat(security.check(access).rejection()).isEqualTo("unknown_user");
    assertThat(security.check(access).subject()).isEqualTo("bob");
  }

  @Test
  void authenticate_tokenOfDisabledUser_isRefusedAndRefreshFails() {
    User bob = security.users().create("bob", "Tr0ub4dor-and-3x", "viewer", false, "en", ADMIN);
    LoginResult.Success s = login("bob", "Tr0ub4dor-and-3x");
    security.users().setDisabled(bob, true, ADMIN);
    assertThat(security.authenticate(s.accessToken())).isEmpty();
    assertThat(security.check(s.accessToken()).rejection()).isEqualTo("disabled_user");
    assertThat(security.logins().refresh(s.refreshToken(), SRC)).isInstanceOf(LoginResult.Invalid.class);
    assertThat(security.logins().login("bob", "Tr0ub4dor-and-3x", null, SRC)).isInstanceOf(LoginResult.Invalid.class);
  }

  @Test
  void authenticate_afterRoleChange_oldTokenRefusedNewRoleApplies() {
    User bob = security.users().create("bob", "Tr0ub4dor-and-3x", "operator", false, "en", ADMIN);
    LoginResult.Success s = login("bob", "Tr0ub4dor-and-3x");
    assertThat(security.authenticate(s.accessToken()).orElseThrow().can("monitoring:query:write")).isTrue();
    security.users().setPermissions(bob, "viewer", Set.of(), Set.of(), ADMIN);
    assertThat(security.authenticate(s.accessToken())).isEmpty();
    LoginResult r = security.logins().refresh(s.refreshToken(), SRC);
    Principal p = security.authenticate(((LoginResult.Success) r).accessToken()).orElseThrow();
    assertThat(p.role()).isEqualTo("viewer");
    assertThat(p.can("monitoring:query:write")).isFalse();
  }

  @Test
  void authenticate_jwtAttacks_areRefused() throws Exception {
    LoginResult.Success s = login("admin", PW);
    Principal p = security.authenticate(s.accessToken()).orElseThrow();
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("syslens").subject("admin").claim("uid", p.userId())
        .claim("ver", 0L).claim("sid", p.sessionId()).expirationTime(Date.from(clock.instant().plusSeconds(600))).build();
    String none = new PlainJWT(new PlainHeader(), claims).serialize();
    SignedJWT wrongKey = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    wrongKey.sign(new MACSigner("another-key-another-key-another-key!".getBytes()));
    String[] parts = s.accessToken().split("\\.");
    String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
    assertThat(security.authenticate(none)).isEmpty();
    assertThat(security.authenticate(wrongKey.serialize())).isEmpty();
    assertThat(security.authenticate(tampered)).isEmpty();
    assertThat(security.check(none).rejection()).isEqualTo("alg_none");
    assertThat(security.check(wrongKey.serialize()).rejection()).isEqualTo("bad_signature");
    assertThat(security.check(tampered).rejection()).isIn("bad_signature", "malformed");
    assertThat(security.check("not.a.token").rejection()).isEqualTo("malformed");
    assertThat(security.check(s.accessToken()).principal()).isNotNull();
    clock.advance(security.accessTokenTtl().plusSeconds(1));
    assertThat(security.authenticate(s.accessToken())).as("expired").isEmpty();
    assertThat(security.check(s.accessToken()).rejection()).isEqualTo("expired");
  }

  @Test
  void logout_endsSessionAndRefresh() {
    LoginResult.Success s = login("admin", PW);
    Principal p = security.authenticate(s.accessToken()).orElseThrow();
    security.logins().logout(p, SRC);
    assertThat(security.authenticate(s.accessToken())).isEmpty();
    assertThat(security.logins().refresh(s.refreshToken(), SRC)).isInstanceOf(LoginResult.Invalid.class);
  }

  @Test
  void logoutEverywhere_endsEverySession() {
    LoginResult.Success a = login("admin", PW);
    LoginResult.Success b = login("admin", PW);
    security.logins().logoutEverywhere(security.authenticate(a.accessToken()).orElseThrow(), SRC);
    assertThat(security.authenticate(a.accessToken())).isEmpty();
    assertThat(security.authenticate(b.accessToken())).isEmpty();
    assertThat(security.logins().refresh(b.refreshToken(), SRC)).isInstanceOf(LoginResult.Invalid.class);
  }

  @Test
  void refresh_replayedToken_endsTheSession() {
    LoginResult.Success s = login("admin", PW);
    LoginResult.Success next = (LoginResult.Success) security.logins().refresh(s.refreshToken(), SRC);
    assertThat(security.logins().refresh(s.refreshToken(), SRC)).isInstanceOf(LoginResult.Invalid.class);
    assertThat(security.logins().refresh(next.refreshToken(), SRC)).as("the thief's replay ends the session")
        .isInstanceOf(LoginResult.Invalid.class);
    assertThat(security.authenticate(next.accessToken())).isEmpty();
  }

  @Test
  void session_idleFor8Hours_ends() {
    LoginResult.Success s = login("admin", PW);
    for (int i = 0; i < 10; i++) { // activity keeps it alive past 8 h
      clock.advance(Duration.ofMinutes(9));
      s = (LoginResult.Success) security.logins().refresh(s.refreshToken(), SRC);
      assertThat(security.authenticate(s.accessToken())).isPresent();
    }
    clock.advance(Duration.ofHours(8));
    assertThat(security.logins().refresh(s.refreshToken(), SRC)).isInstanceOf(LoginResult.Invalid.class);
  }

  @Test
  void create_weakPasswords_areRefusedNamingTheRule() {
    assertThatThrownBy(() -> security.users().create("carol", "Sh0rt!", "viewer", true, "en", ADMIN))
        .hasMessageContaining(">= 12");
    assertThatThrownBy(() -> security.users().create("carol", "alllowercaseletters", "viewer", true, "en", ADMIN))
        .hasMessageContaining("character classes");
    assertThatThrownBy(() -> security.users().create("carol", "Carol-2026-Secure", "viewer", true, "en", ADMIN))
        .hasMessageContaining("user name");
    assertThatThrownBy(() -> security.users().create("carol", "Password123!", "viewer", true, "en", ADMIN))
        .hasMessageContaining("commonly used");
    assertThatThrownBy(() -> security.users().create("carol", "Fine-Passw0rd-X", "viewer", true, "fr", ADMIN))
        .hasMessageContaining("language");
    assertThatThrownBy(() -> security.users().create("admin", "Fine-Passw0rd-X", "viewer", true, "en", ADMIN))
        .hasMessageContaining("taken");
  }

  @Test
  void create_storesBcryptAtTheConfiguredCost_andForcesChangeOnFirstLogin() {
    User u = security.users().create("carol", "Fine-Passw0rd-X", "viewer", true, "ja-JP", ADMIN);
    assertThat(u.passwordHash()).startsWith(String.format("$2a$%02d$", Passwords.COST));
    assertThat(u.language()).isEqualTo("ja-JP");
    LoginResult.Success s = login("carol", "Fine-Passw0rd-X");
    assertThat(s.restricted()).isEqualTo("change_password");
    Principal p = security.authenticate(s.accessToken()).orElseThrow();
    security.users().changeOwnPassword(security.users().get("carol").orElseThrow(), "Fine-Passw0rd-X",
        "Another-Passw0rd-Y", p.sessionId(), new Users.Actor("carol", SRC));
    Principal after = security.authenticate(security.logins().reissue(p).orElseThrow().accessToken()).orElseThrow();
    assertThat(after.restricted()).isNull();
  }

  @Test
  void effective_roleSavedOrDeleted_answersTheNewRoleNotTheRememberedOne() {
    security.roles().save(new Role("memo-a", List.of(), Set.of("alerts:rule:read"), Set.of(), false, false));
    assertThat(security.roles().effective("memo-a", Set.of(), Set.of()).grantSet()).containsExactly("alerts:rule:read");
    assertThat(security.roles().effective("memo-a", Set.of(), Set.of()).grantSet()).containsExactly("alerts:rule:read");
    security.roles().save(new Role("memo-a", List.of(), Set.of("system:report:read"), Set.of(), false, false));
    assertThat(security.roles().effective("memo-a", Set.of(), Set.of()).grantSet()).containsExactly("system:report:read");
    assertThat(security.roles().effective("memo-a", Set.of("alerts:rule:write"), Set.of()).grantSet())
        .containsExactlyInAnyOrder("system:report:read", "alerts:rule:write");
    assertThat(security.roles().delete("memo-a")).isTrue();
    assertThatThrownBy(() -> security.roles().effective("memo-a", Set.of(), Set.of()))
        .hasMessageContaining("\"memo-a\" unknown");
  }

  @Test
  void roles_inheritanceConflictsAndCycles() {
    security.roles().save(new Role("team-a", List.of("operator"), Set.of("system:report:read"), Set.of(), false, false));
    EffectivePermissions e = security.roles().effective("team-a", Set.of(), Set.of());
    assertThat(e.grants()).anyMatch(o -> o.permission().equals("monitoring:*:read")
        && o.path().equals("role team-a > role operator > role viewer"));
    assertThatThrownBy(() -> security.roles().save(new Role("team-b", List.of("team-a"), Set.of("alerts:rule:write"),
        Set.of("alerts:rule:write"), false, false)))
        .hasMessageContaining("alerts:rule:write is granted via role team-b and denied via role team-b");
    assertThatThrownBy(() -> security.roles().save(new Role("team-a", List.of("team-c"), Set.of(), Set.of(), false, false)))
        .hasMessageContaining("unknown");
    security.roles().save(new Role("team-c", List.of(), Set.of("alerts:*:read"), Set.of(), false, false));
    security.roles().save(new Role("team-d", List.of("team-c"), Set.of(), Set.of(), false, false));
    assertThatThrownBy(() -> security.roles().save(new Role("team-c", List.of("team-d"), Set.of(), Set.of(), false, false)))
        .hasMessageContaining("cycle");
    assertThatThrownBy(() -> security.roles().save(new Role("sod", List.of(), Set.of("users:user:manage",
        "system:audit:delete"), Set.of(), false, false)))
        .hasMessageContaining("separation of duties").hasMessageContaining("role sod granting users:user:manage");
  }

  @Test
  void scopes_unionOfRoleChainAndUser_withOrigins_andUnscopedAdmin() {
    security.roles().save(new Role("team-a", List.of("viewer"), Set.of(), Set.of(), false, false,
        List.of("{group=\"team-a\"}")));
    security.roles().save(new Role("team-a-vc", List.of("team-a"), Set.of(), Set.of(), false, false,
        List.of(" {vcenter=\"vc1\"} ", "{group=\"team-a\"}")));
    User ann = security.users().create("ann", "Tr0ub4dor-and-3x", "team-a-vc", false, "en", ADMIN);
    security.users().setScopes(ann, List.of("{node=~\"lab-.*\"}"), ADMIN);
    Principal p = security.authenticate(login("ann", "Tr0ub4dor-and-3x").accessToken()).orElseThrow();
    assertThat(p.scoped()).isTrue();
    assertThat(p.scope()).containsExactly("{vcenter=\"vc1\"}", "{group=\"team-a\"}", "{node=~\"lab-.*\"}");
    EffectivePermissions e = security.users().effective(security.users().get("ann").orElseThrow());
    assertThat(e.scopes()).extracting(EffectivePermissions.Origin::path)
        .containsExactly("role team-a-vc", "role team-a-vc", "role team-a-vc > role team-a", "user scope");
    assertThat(security.roles().get("team-a-vc").orElseThrow().scopes()).containsExactly("{vcenter=\"vc1\"}",
        "{group=\"team-a\"}");
    Principal admin = security.authenticate(login("admin", PW).accessToken()).orElseThrow();
    assertThat(admin.scoped()).isFalse();
    assertThat(admin.scope()).isNull();
    assertThat(security.audit().list(-1, 100)).anyMatch(r -> r.action().equals("user.scopes"));
  }

  @Test
  void scopes_malformedSelector_isRefusedNamingIt() {
    assertThatThrownBy(() -> security.roles().save(new Role("team-x", List.of("viewer"), Set.of(), Set.of(), false,
        false, List.of("group=team-x"))))
        .hasMessageContaining("scopes: \"group=team-x\"").hasMessageContaining("expected: a label selector");
    User bob = security.users().create("bob", "Tr0ub4dor-and-3x", "viewer", false, "en", ADMIN);
    assertThatThrownBy(() -> security.users().setScopes(bob, List.of("{a=\"1\"}\n{b=\"2\"}"), ADMIN))
        .hasMessageContaining("expected: one line");
  }

  @Test
  void setPermissions_conflictingUserExtras_areRefused() {
    User bob = security.users().create("bob", "Tr0ub4dor-and-3x", "operator", false, "en", ADMIN);
    assertThatThrownBy(() -> security.users().setPermissions(bob, "operator", Set.of("system:audit:delete",
        "users:user:manage"), Set.of(), ADMIN)).hasMessageContaining("separation of duties")
        .hasMessageContaining("user extra grant");
    assertThatThrownBy(() -> security.users().setPermissions(bob, "operator", Set.of(), Set.of("alerts:*:*"), ADMIN))
        .hasMessageContaining("alerts:*:* is granted via role operator and denied via user extra denial");
  }

  @Test
  void authenticateCached_answersFromFreshStateOnly_andSeesRevocationsAtOnce() {
    security.users().create("bob", "Tr0ub4dor-and-3x", "viewer", false, "en", ADMIN);
    LoginResult.Success s = login("bob", "Tr0ub4dor-and-3x");
    Principal bob = security.authenticate(s.accessToken()).orElseThrow();
    assertThat(security.authenticateCached(s.accessToken())).map(Principal::username).contains("bob");
    String key = security.createApiKey(bob, "grafana", Set.of("monitoring:*:read"), null, SRC).getKey();
    assertThat(security.authenticateCached(key)).as("key not read yet").isEmpty();
    assertThat(security.authenticate(key)).isPresent();
    assertThat(security.authenticateCached(key)).map(Principal::apiKeyId).isPresent();
    assertThat(security.authenticateBasicCached("bob", key)).isPresent();
    assertThat(security.authenticateBasicCached("admin", key)).isEmpty();

    // Past the cache lifetime the database must be asked again (by check, on a blocking thread).
    clock.advance(Duration.ofSeconds(3));
    assertThat(security.authenticateCached(s.accessToken())).isEmpty();
    assertThat(security.authenticateCached(key)).isEmpty();
    assertThat(security.authenticate(s.accessToken())).isPresent();
    assertThat(security.authenticate(key)).isPresent();
    assertThat(security.authenticateCached(s.accessToken())).isPresent();

    // Refusals are never answered from memory: check decides them and says why.
    assertThat(security.authenticateCached("not.a.token")).isEmpty();
    assertThat(security.authenticateCached(key + "x")).isEmpty();

    // Revocations made here are seen by the very next request.
    security.revokeApiKey(security.authenticate(key).orElseThrow().apiKeyId(), bob.userId(), false, "bob", SRC);
    assertThat(security.authenticateCached(key)).isEmpty();
    assertThat(security.authenticate(key)).isEmpty();
    security.logins().logout(bob, SRC);
    assertThat(security.authenticateCached(s.accessToken())).isEmpty();
    assertThat(security.check(s.accessToken()).rejection()).isEqualTo("revoked");
  }

  @Test
  void authenticateCached_steadyClient_isRefreshedAheadAndNeverWaitsForTheDatabase() {
    security.users().create("bob", "Tr0ub4dor-and-3x", "viewer", false, "en", ADMIN);
    LoginResult.Success s = login("bob", "Tr0ub4dor-and-3x");
    Principal bob = security.authenticate(s.accessToken()).orElseThrow();
    String key = security.createApiKey(bob, "grafana", Set.of("monitoring:*:read"), null, SRC).getKey();
    assertThat(security.authenticate(key)).isPresent();

    // A request every 1.5 s, past the 2 s cache lifetime of the first read: each is answered from
    // memory because the entries are read again in the background once half their lifetime is gone.
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofMillis(1_500));
      assertThat(security.authenticateCached(s.accessToken())).as("token, request %d", i).isPresent();
      assertThat(security.authenticateCached(key)).as("key, request %d", i).isPresent();
      assertThat(security.authenticateBasicCached("bob", key)).as("basic, request %d", i).isPresent();
      // The background reads finish before the next request comes (as they do for a client a second apart).
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> security.refreshAhead().pending() == 0);
    }

    // Revocations made here are still seen by the very next request, and no refresh undoes them.
    security.revokeApiKey(security.authenticate(key).orElseThrow().apiKeyId(), bob.userId(), false, "bob", SRC);
    security.logins().logout(bob, SRC);
    clock.advance(Duration.ofMillis(1_500));
    assertThat(security.authenticateCached(key)).isEmpty();
    assertThat(security.authenticateCached(s.accessToken())).isEmpty();
    assertThat(security.check(s.accessToken()).rejection()).isEqualTo("revoked");
    assertThat(security.authenticate(key)).isEmpty();
  }

  @Test
  void authenticateCached_roleOrUserChange_isSeenByTheNextRequest() {
    security.roles().save(new Role("team", List.of("viewer"), Set.of(), Set.of(), false, false, List.of()));
    User bob = security.users().create("bob", "Tr0ub4dor-and-3x", "team", false, "en", ADMIN);
    String access = login("bob", "Tr0ub4dor-and-3x").accessToken();
    Principal before = security.authenticate(access).orElseThrow();
    assertThat(before.can("monitoring:query:read")).isTrue();
    assertThat(security.authenticateCached(access).orElseThrow().can("monitoring:query:read")).isTrue();

    security.roles().save(new Role("team", List.of(), Set.of(), Set.of(), false, false, List.of()));
    assertThat(security.authenticateCached(access).orElseThrow().can("monitoring:query:read"))
        .as("role definition changed").isFalse();

    security.users().setPermissions(bob, "team", Set.of("monitoring:query:read"), Set.of(), ADMIN);
    assertThat(security.authenticateCached(access)).as("user changed: the old token is stale").isEmpty();
    assertThat(security.check(access).rejection()).isEqualTo("stale_token");
    String again = login("bob", "Tr0ub4dor-and-3x").accessToken();
    assertThat(security.authenticate(again).orElseThrow().can("monitoring:query:read")).isTrue();
    assertThat(security.authenticateCached(again).orElseThrow().grants()).contains("monitoring:query:read");
  }

  @Test
  void apiKeys_scopedHashedRevocable() {
    LoginResult.Success s = login("admin", PW);
    Principal admin = security.authenticate(s.accessToken()).orElseThrow();
    Map.Entry<String, Map<String, Object>> k = security.createApiKey(admin, "grafana", Set.of("monitoring:*:read"),
        null, SRC);
    Principal viaKey = security.authenticate(k.getKey()).orElseThrow();
    assertThat(viaKey.can("monitoring:query:read")).isTrue();
    assertThat(viaKey.can("users:user:manage")).isFalse();
    assertThat(security.authenticateBasic("admin", k.getKey())).isPresent();
    assertThat(security.authenticateBasic("someone", k.getKey())).isEmpty();
    security.revokeApiKey((String) k.getValue().get("id"), admin.userId(), false, "admin", SRC);
    assertThat(security.authenticate(k.getKey())).isEmpty();
  }

  @Test
  void nodes_enrollOnceThenOnlyTheNodesSecret() {
    NodeIdentities n = security.nodes();
    NodeIdentities.Admission first = n.admit("web-1", null, token, SRC);
    assertThat(first.outcome()).isEqualTo(NodeIdentities.Outcome.ENROLLED);
    assertThat(n.admit("web-1", null, token, "127.0.0.9").outcome()).as("token holder posing as web-1")
        .isEqualTo(NodeIdentities.Outcome.REFUSED);
    assertThat(n.admit("web-1", "wrong", token, SRC).outcome()).isEqualTo(NodeIdentities.Outcome.REFUSED);
    assertThat(n.admit("web-1", first.newSecret(), null, SRC).outcome()).isEqualTo(NodeIdentities.Outcome.AUTHENTICATED);
    assertThat(n.admit("web-2", null, "wrong-token", SRC).outcome()).isEqualTo(NodeIdentities.Outcome.REFUSED);
    List<String> revoked = new java.util.concurrent.CopyOnWriteArrayList<>();
    n.onRevoked(revoked::add);
    n.revoke("web-1", "admin", SRC);
    assertThat(revoked).containsExactly("web-1");
    assertThat(n.admit("web-1", first.newSecret(), null, SRC).outcome()).isEqualTo(NodeIdentities.Outcome.REVOKED);
    assertThat(security.audit().list(-1, 100)).extracting(AuditLog.Entry::action)
        .contains("node.enrolled", "node.refused", "node.revoked");
  }

  @Test
  void audit_modifiedOrDeletedRecord_isDetected() throws Exception {
    for (int i = 0; i < 5; i++) {
      security.audit().append("admin", "test", "t" + i, SRC, "d" + i);
    }
    assertThat(security.audit().verify().ok()).isTrue();
    long seq = security.audit().list(-1, 100).get(2).seq();
    try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE audit_log SET actor = 'mallory' WHERE seq = " + seq);
    }
    AuditLog.Verification v = security.audit().verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBadSeq()).isEqualTo(seq);
    try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate("DELETE FROM audit_log WHERE seq = " + seq);
    }
    assertThat(security.audit().verify().problem()).contains("record " + seq + " is missing");
  }

  @Test
  void audit_lastRecordsDeleted_isDetectedAlsoByAFreshProcess() throws Exception {
    for (int i = 0; i < 4; i++) {
      security.audit().append("admin", "test", "t" + i, SRC, "");
    }
    try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
      st.executeUpdate("DELETE FROM audit_log WHERE seq >= 2");
    }
    AuditLog fresh = AuditLog.open(db, clock); // no memory of what it wrote
    AuditLog.Verification v = fresh.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.problem()).contains("removed from the end");
  }

  @Test
  void audit_retention_keepsAYearAndTheChainVerifies() {
    security.audit().append("admin", "old", "x", SRC, "");
    clock.advance(Duration.ofDays(400));
    security.audit().append("admin", "new", "y", SRC, "");
    assertThatThrownBy(() -> security.audit().prune(Duration.ofDays(30))).hasMessageContaining(">= 366");
    assertThat(security.audit().prune(Duration.ofDays(366))).isGreaterThan(0);
    assertThat(security.audit().list(-1, 100)).extracting(AuditLog.Entry::action).containsExactly("new");
    assertThat(security.audit().verify().ok()).isTrue();
  }

  @Test
  void totp_requiredAfterEnrolment_withRecoveryCodes() {
    LoginResult.Success s = login("admin", PW);
    Principal p = security.authenticate(s.accessToken()).orElseThrow();
    String uri = security.logins().beginTotp(p);
    String secret = uri.replaceAll(".*secret=([A-Z2-7]+).*", "$1");
    String code = Totp.code(Totp.fromBase32(secret), clock.instant().getEpochSecond(), 6, "HmacSHA1");
    List<String> recovery = security.logins().confirmTotp(p, code, SRC);
    assertThat(recovery).hasSize(10);
    assertThat(security.logins().login("admin", PW, null, SRC)).isInstanceOf(LoginResult.TotpRequired.class);
    assertThat(security.logins().login("admin", PW, "000000".equals(code) ? "111111" : "000000", SRC))
        .isInstanceOf(LoginResult.Invalid.class);
    assertThat(security.logins().login("admin", PW, code, SRC)).isInstanceOf(LoginResult.Success.class);
    assertThat(security.logins().login("admin", PW, recovery.get(0), SRC)).isInstanceOf(LoginResult.Success.class);
    assertThat(security.logins().login("admin", PW, recovery.get(0), SRC)).as("a recovery code works once")
        .isInstanceOf(LoginResult.Invalid.class);
  }

  @Test
  void totp_requiredByRole_restrictsUntilEnrolled() {
    security.roles().save(new Role("secure-ops", List.of("operator"), Set.of(), Set.of(), true, false));
    security.users().create("dave", "Tr0ub4dor-and-3x", "secure-ops", false, "en", ADMIN);
    assertThat(login("dave", "Tr0ub4dor-and-3x").restricted()).isEqualTo("enroll_totp");
  }

  private Security restarted() {
    return Security.builder(db).clock(clock).jwtKey(KEY).enrollmentToken(() -> token).build();
  }

  @Test
  void lockout_survivesARestart_untilItExpires() {
    User bob = security.users().create("bob", "Tr0ub4dor-and-3x", "viewer", false, "en", ADMIN);
    login("bob", "Tr0ub4dor-and-3x"); // SRC becomes a trusted source of bob
    for (int i = 0; i < LoginGuard.FAILURES_PER_ACCOUNT; i++) {
      security.logins().login("bob", "wrong-password-" + i, null, "10.9.0." + i);
    }
    for (int i = 0; i < LoginGuard.FAILURES_PER_SOURCE; i++) {
      security.logins().login("bob", "wrong-password-" + i, null, "10.8.0.1");
    }
    Security after = restarted();
    assertThat(after.users().lockedForUnknownSources(bob)).isTrue();
    assertThat(after.logins().login("bob", "Tr0ub4dor-and-3x", null, "10.9.9.9"))
        .as("an unknown source stays locked out after the restart").isInstanceOf(LoginResult.Refused.class);
    assertThat(after.logins().login("bob", "Tr0ub4dor-and-3x", null, SRC))
        .as("the trusted source is remembered across the restart").isInstanceOf(LoginResult.Success.class);
    clock.advance(LoginGuard.LOCK_TIME.plusSeconds(1));
    Security later = restarted();
    assertThat(later.users().lockedForUnknownSources(bob)).isFalse();
    assertThat(later.logins().login("bob", "Tr0ub4dor-and-3x", null, "10.8.0.1")).isInstanceOf(LoginResult.Success.class);
  }

  @Test
  void unlock_byAdmin_isRememberedAcrossARestart() {
    User bob = security.users().create("bob", "Tr0ub4dor-and-3x", "viewer", false, "en", ADMIN);
    for (int i = 0; i < LoginGuard.FAILURES_PER_SOURCE; i++) {
      security.logins().login("bob", "wrong-password-" + i, null, "10.8.0.1");
    }
    Security after = restarted(); // one audit writer per database: the old instance is done
    assertThat(after.logins().login("bob", "Tr0ub4dor-and-3x", null, "10.8.0.1")).isInstanceOf(LoginResult.Refused.class);
    after.users().unlock(bob, ADMIN);
    assertThat(restarted().logins().login("bob", "Tr0ub4dor-and-3x", null, "10.8.0.1")).isInstanceOf(LoginResult.Success.class);
  }

  @Test
  void audit_search_filtersByActorActionPrefixTimeAndPagesNewestFirst() {
    AuditLog a = security.audit();
    long t0 = clock.millis();
    a.append("alice", "user.created", "x", SRC, "");
    a.append("bob", "user.deleted", "y", SRC, "");
    clock.advance(Duration.ofMinutes(1));
    a.append("alice", "role.saved", "z", SRC, "");
    a.append("alice", "user_x", "w", SRC, ""); // "_" in the prefix must not act as a wildcard
    assertThat(a.search("alice", null, null, null, null, 10)).extracting(AuditLog.Entry::action)
        .containsExactly("user_x", "role.saved", "user.created");
    assertThat(a.search(null, "user.d", null, null, null, 10)).extracting(AuditLog.Entry::action)
        .containsExactly("user.deleted");
    assertThat(a.search("alice", "user_", null, null, null, 10)).extracting(AuditLog.Entry::action)
        .containsExactly("user_x");
    assertThat(a.search(null, null, t0 + 1, null, null, 10)).extracting(AuditLog.Entry::action)
        .containsExactly("user_x", "role.saved");
    List<AuditLog.Entry> page1 = a.search("alice", null, null, null, null, 2);
    assertThat(a.search("alice", null, null, null, page1.get(1).seq(), 2)).extracting(AuditLog.Entry::action)
        .containsExactly("user.created");
  }

  @Test
  void enrollmentTokens_expireAreOneTimeAndRevocable() {
    EnrollmentTokens tokens = security.nodes().tokens();
    String once = tokens.create("once", true, Duration.ofHours(1), "admin", SRC).getKey();
    String fleet = tokens.create("fleet", false, Duration.ofHours(1), "admin", SRC).getKey();
    assertThat(once).startsWith(EnrollmentTokens.PREFIX);
    assertThat(security.nodes().admit("n1", null, once, SRC).outcome()).isEqualTo(NodeIdentities.Outcome.ENROLLED);
    NodeIdentities.Admission reused = security.nodes().admit("n2", null, once, SRC);
    assertThat(reused.outcome()).isEqualTo(NodeIdentities.Outcome.REFUSED);
    assertThat(reused.reason()).contains("already used");
    assertThat(security.nodes().admit("n2", null, fleet, SRC).admitted()).isTrue();
    assertThat(security.nodes().admit("n3", null, fleet, SRC).admitted()).isTrue();
    assertThat(tokens.list()).filteredOn(t -> t.name().equals("fleet")).singleElement()
        .satisfies(t -> assertThat(t.uses()).isEqualTo(2));
    clock.advance(Duration.ofHours(2));
    assertThat(security.nodes().admit("n4", null, fleet, SRC).reason()).contains("expired");
    String later = tokens.create("later", false, Duration.ofHours(1), "admin", SRC).getKey();
    String id = tokens.list().stream().filter(t -> t.name().equals("later")).findFirst().orElseThrow().id();
    assertThat(tokens.revoke(id, "admin", SRC)).isTrue();
    assertThat(security.nodes().admit("n5", null, later, SRC).reason()).contains("revoked");
    assertThatThrownBy(() -> tokens.create("too long", true, Duration.ofDays(400), "admin", SRC))
        .hasMessageContaining("ttl");
    assertThat(security.audit().list(-1, 1000)).extracting(AuditLog.Entry::action)
        .contains("enrollment_token.created", "enrollment_token.revoked", "node.enroll_refused");
  }
}
