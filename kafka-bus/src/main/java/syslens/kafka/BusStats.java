package syslens.kafka;

import java.util.concurrent.atomic.LongAdder;
import syslens.storage.AppendStatus;

/** Counters of one bus instance; {@link KafkaBus#stats()} snapshots them. */
final class BusStats {
  final LongAdder publishedRecords = new LongAdder();
  final LongAdder publishedSamples = new LongAdder();
  final LongAdder publishFailures = new LongAdder();
  final LongAdder consumedRecords = new LongAdder();
  final LongAdder writtenSamples = new LongAdder();
  final LongAdder[] rejected = new LongAdder[AppendStatus.values().length];
  final LongAdder invalidRecords = new LongAdder();
  final LongAdder storeFailures = new LongAdder();
  final LongAdder commits = new LongAdder();
  final LongAdder commitFailures = new LongAdder();
  volatile String publishProblem;
  volatile String storeProblem;

  BusStats() {
    for (int i = 0; i < rejected.length; i++) {
      rejected[i] = new LongAdder();
    }
  }

  void published(int records, int samples) {
    publishedRecords.add(records);
    publishedSamples.add(samples);
    publishProblem = null;
  }

  void publishFailed(String why) {
    publishFailures.increment();
    publishProblem = why;
  }
}
