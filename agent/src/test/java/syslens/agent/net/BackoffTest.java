package syslens.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void nextDelay_noJitter_doublesFromOneSecondToSixty() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      delays.add(b.nextDelayMillis());
    }

    assertThat(delays).containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 60000L,
        60000L, 60000L);
  }

  @Test
  void nextDelay_jitter_withinPlusMinusTwentyPercentAndCapped() {
    Backoff low = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.0);
    Backoff high = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.999);

    assertThat(low.nextDelayMillis()).isEqualTo(800);
    assertThat(high.nextDelayMillis()).isBetween(1190L, 1200L);
    for (int i = 0; i < 20; i++) {
      assertThat(high.nextDelayMillis()).isLessThanOrEqualTo(60_000);
    }
  }

  @Test
  void reset_startsOverAtInitial() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5);
    b.nextDelayMillis();
    b.nextDelayMillis();

    b.reset();

    assertThat(b.nextDelayMillis()).isEqualTo(1000);
  }
}
