package syslens.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartStepTest {
  @Test
  void join_returnsTheStepsResultFromItsOwnThread() throws Exception {
    StartStep<String> step = StartStep.begin("test-step", () -> Thread.currentThread().getName());

    assertThat(step.join()).isEqualTo("test-step");
  }

  @Test
  void join_stepThrewUncheckedIo_rethrowsTheIoException() {
    IOException cause = new IOException("tsdb: disk gone");
    StartStep<String> step = StartStep.begin("test-step", () -> {
      throw new UncheckedIOException(cause);
    });

    assertThatThrownBy(step::join).isSameAs(cause);
  }

  @Test
  void join_stepThrewRuntimeException_rethrowsItUnwrapped() {
    IllegalStateException failure = new IllegalStateException("locked");
    StartStep<String> step = StartStep.begin("test-step", () -> {
      throw failure;
    });

    assertThatThrownBy(step::join).isSameAs(failure);
  }

  @Test
  void discard_afterAnotherStepFailed_closesWhatThisOneBuilt() {
    List<String> closed = new ArrayList<>();
    StartStep<String> step = StartStep.begin("test-step", () -> "engine");

    step.discard(closed::add);

    assertThat(closed).containsExactly("engine");
  }

  @Test
  void discard_stepFailed_closesNothing() {
    List<String> closed = new ArrayList<>();
    StartStep<String> step = StartStep.begin("test-step", () -> {
      throw new IllegalStateException("open failed");
    });

    step.discard(closed::add);

    assertThat(closed).isEmpty();
  }
}
