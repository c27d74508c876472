package syslens.tsdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.AppendStatus;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.storage.Matcher;

class TsdbSeriesLimitTest {
  @TempDir Path dir;

  @Test
  void append_beyondMaxSeries_refusedAndCountedButExistingSeriesKeepGrowing() {
    try (Tsdb db = Tsdb.builder(dir).maxSeries(2).build()) {
      Appender a = db.appender();
      assertThat(a.append(Labels.of("__name__", "m", "i", "1"), 1000, 1)).isEqualTo(AppendStatus.OK);
      assertThat(a.append(Labels.of("__name__", "m", "i", "2"), 1000, 1)).isEqualTo(AppendStatus.OK);
      assertThat(a.append(Labels.of("__name__", "m", "i", "3"), 1000, 1)).isEqualTo(AppendStatus.LIMIT_EXCEEDED);
      assertThat(a.append(Labels.of("__name__", "m", "i", "1"), 2000, 2)).isEqualTo(AppendStatus.OK);
      a.commit();
      assertThat(db.stats().numSeries()).isEqualTo(2);
      assertThat(db.stats().rejectedSeriesLimit()).isEqualTo(1);
      var q = db.querier(0, 10_000);
      assertThat(q.select(List.of(Matcher.equal("__name__", "m")))).hasSize(2);
      q.close();
    }
    // Replay is never refused: reopening with a lower limit keeps what was written.
    try (Tsdb db = Tsdb.builder(dir).maxSeries(1).build()) {
      assertThat(db.stats().numSeries()).isEqualTo(2);
      assertThat(db.appender().append(Labels.of("__name__", "m", "i", "9"), 3000, 1))
          .isEqualTo(AppendStatus.LIMIT_EXCEEDED);
    }
  }
}
