package syslens.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginGuardTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
  private final LoginGuard guard = new LoginGuard(clock);

  @Test
  void failure_fromOneSource_locksOnlyThatSource() {
    for (int i = 0; i < LoginGuard.FAILURES_PER_SOURCE; i++) {
      guard.failure("admin", "10.0.0.1");
    }
    assertThat(guard.lockedFor("admin", "10.0.0.1")).isPositive();
    assertThat(guard.lockedFor("admin", "10.0.0.2")).isZero();
  }

  @Test
  void failure_floodFromManySources_doesNotLockTheTrustedSource() {
    guard.success("admin", "127.0.0.1");
    for (int i = 0; i < 1000; i++) {
      guard.failure("admin", "127.1." + (i / 250) + "." + (i % 250));
    }
    assertThat(guard.lockedFor("admin", "127.9.9.9")).as("an untrusted source").isPositive();
    assertThat(guard.lockedFor("admin", "127.0.0.1")).as("the admin's usual source").isZero();
  }

  @Test
  void lock_expiresByTime_andAdminCanUnlock() {
    for (int i = 0; i < LoginGuard.FAILURES_PER_ACCOUNT; i++) {
      guard.failure("admin", "10.0.1." + i);
    }
    assertThat(guard.lockedForUntrusted("admin")).isTrue();
    clock.advance(LoginGuard.LOCK_TIME.plusSeconds(1));
    assertThat(guard.lockedForUntrusted("admin")).isFalse();
    for (int i = 0; i < LoginGuard.FAILURES_PER_ACCOUNT; i++) {
      guard.failure("admin", "10.0.2." + i);
    }
    guard.unlock("admin");
    assertThat(guard.lockedFor("admin", "10.0.2.1")).isEqualTo(Duration.ZERO);
  }

  @Test
  void acquire_oneSlotPerSource_andTheLastSlotForTrustedSources() {
    guard.success("admin", "127.0.0.1");
    LoginGuard.Slot a = guard.acquire("admin", "10.0.0.1");
    assertThat(guard.acquire("admin", "10.0.0.1")).as("same source twice").isNull();
    LoginGuard.Slot b = guard.acquire("admin", "10.0.0.2");
    LoginGuard.Slot c = guard.acquire("admin", "10.0.0.3");
    assertThat(guard.acquire("admin", "10.0.0.4")).as("untrusted sources get no more than 3").isNull();
    LoginGuard.Slot t = guard.acquire("admin", "127.0.0.1");
    assertThat(t).as("the trusted source still gets one").isNotNull();
    a.close();
    b.close();
    c.close();
    t.close();
    assertThat(guard.acquire("admin", "10.0.0.4")).isNotNull();
  }
}
