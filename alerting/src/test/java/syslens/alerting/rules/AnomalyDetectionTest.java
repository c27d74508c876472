package syslens.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.query.Engine;
import syslens.storage.Appender;
import syslens.storage.Labels;
import syslens.tsdb.Tsdb;

/**
 * The anomaly rule on synthetic seasonal data: a daily cycle, lower weekends, Gaussian noise,
 * four weeks at a 5-minute step, spikes injected into the last week. The baseline is trained
 * through the query engine from the first three weeks; every 5-minute evaluation of the last
 * week counts as a detection when the series' alert fires. Precision and recall are printed.
 */
class AnomalyDetectionTest {
  private static final long STEP = 300_000;
  private static final long WEEK = 7 * 86_400_000L;

  @TempDir
  Path tmp;

  static double normal(long t, double level) {
    double hour = (t % 86_400_000L) / 3_600_000.0;
    int dow = Baseline.slot(t) / 24; // Monday 0
    double weekly = dow >= 5 ? -0.25 * level : 0;
    return level + weekly + 0.3 * level * Math.sin(2 * Math.PI * (hour - 6) / 24);
  }

  @Test
  void anomalyRule_seasonalDataWithSpikes_precisionAndRecallAboveThresholds() {
    Random rnd = new Random(42);
    String[] nodes = {"web1", "web2", "db1"};
    double[] levels = {100, 40, 400};
    Set<String> injected = new HashSet<>();
    try (Tsdb tsdb = Tsdb.builder(tmp.resolve("db")).build()) {
      Appender app = tsdb.appender();
      for (long t = 0; t < 4 * WEEK; t += STEP) {
        for (int i = 0; i < nodes.length; i++) {
          double v = normal(t, levels[i]) + rnd.nextGaussian() * 0.03 * levels[i];
          if (t >= 3 * WEEK && rnd.nextDouble() < 0.01) {
            // A spike or a drop of 30 % to 60 % of the level (10 to 20 noise sigmas).
            v += (rnd.nextBoolean() ? 1 : -1) * (0.3 + 0.3 * rnd.nextDouble()) * levels[i];
            injected.add(nodes[i] + "@" + t);
          }
          app.append(Labels.of("__name__", "requests", "node", nodes[i]), t, v);
        }
      }
      app.commit();

      RuleManager m = RuleManager.builder(tsdb, q -> Engine.builder(q).build(), a -> { })
          .threads(1).build();
      m.setGroups(List.of(RuleFiles.parseGroup("""
          {"name": "anomaly", "interval": "5m", "rules": [{"alert": "RequestsAnomalous",
            "kind": "anomaly", "anomaly": {"expr": "requests", "sensitivity": 4,
            "training": "3w", "step": "5m", "retrain": "8d"}}]}
          """)));
      Set<String> detected = new HashSet<>();
      for (long t = 3 * WEEK; t < 4 * WEEK; t += STEP) {
        m.evalGroup("anomaly", t);
        for (AlertInstance.View a : m.groups().get(0).rules().get(0).alerts()) {
          if (a.state().equals("firing") && a.firedAt() == t) {
            detected.add(a.labels().get("node") + "@" + t);
          }
        }
      }
      m.close();

      Set<String> truePositives = new HashSet<>(detected);
      truePositives.retainAll(injected);
      double precision = detected.isEmpty() ? 0 : (double) truePositives.size() / detected.size();
      double recall = (double) truePositives.size() / injected.size();
      System.out.printf("anomaly detection: %d injected, %d detected, %d true positives: "
          + "precision %.3f, recall %.3f%n", injected.size(), detected.size(),
          truePositives.size(), precision, recall);

      assertThat(injected).hasSizeGreaterThan(30);
      assertThat(precision).isGreaterThanOrEqualTo(0.9);
      assertThat(recall).isGreaterThanOrEqualTo(0.8);
    }
  }
}
