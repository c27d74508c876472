package syslens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void parse_units_millisSecondsMinutesHoursAndCombined() {
    assertThat(Durations.parse("interval", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("interval", "10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("interval", "1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(Durations.parse("interval", "2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("interval", "1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("interval", "0s")).isZero();
  }

  @Test
  void parse_garbage_namesValueAndExpectation() {
    for (String bad : new String[] {"10", "s", "10 s", "-1s", "1.5s", "10sec", "", "1s2"}) {
      assertThatThrownBy(() -> Durations.parse("interval", bad))
          .as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("interval: ").hasMessageContaining("expected: e.g. 10s");
    }
  }

  @Test
  void format_roundTripsParse() {
    for (String s : new String[] {"10s", "500ms", "1m", "1m30s", "1h", "1s250ms"}) {
      assertThat(Durations.format(Durations.parse("x", s))).isEqualTo(s);
    }
  }
}
