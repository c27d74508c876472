package syslens.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.ingest.IngestListener;
import syslens.ingest.IngestPipeline;
import syslens.ingest.Source;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;
import syslens.tsdb.Tsdb;

class IngestSinkTest {
  @TempDir
  Path dir;
  Tsdb tsdb;
  final List<Labels> committed = new ArrayList<>();
  IngestSink sink;

  @BeforeEach
  void open() {
    tsdb = Tsdb.builder(dir).build();
    IngestPipeline pipeline = IngestPipeline.builder(tsdb).listener(new IngestListener() {
      @Override
      public void committed(Source source, Committed batch) {
        for (int i = 0; i < batch.size(); i++) {
          committed.add(batch.labels(i));
        }
      }
    }).build();
    sink = IngestSink.create(pipeline);
  }

  @AfterEach
  void close() {
    tsdb.close();
  }

  static Labels cpu(String vm) {
    return Labels.of(Labels.METRIC_NAME, "vsphere_vm_cpu_usage_ratio", "vcenter", "vc", "vm", vm);
  }

  @Test
  void writeStream_sameSeriesEveryCycle_storesEachCycleWithTheNodesIdentity() {
    Labels a = cpu("web-1");
    long t = System.currentTimeMillis() - 60_000;
    for (int cycle = 0; cycle < 3; cycle++) {
      AppendStatus[] st = sink.write("batch-0", List.of(new SampleSink.Sample("vm:vc:1", a, t + cycle * 20_000L, 0.5),
          new SampleSink.Sample("vm:vc:2", a, t + cycle * 20_000L, 0.25)));
      assertThat(st).containsOnly(AppendStatus.OK);
    }
    assertThat(sink.streams()).isEqualTo(1);
    // the same labels object for two nodes: each series keeps its own node (the cache key includes it)
    assertThat(committed).hasSize(6).extracting(l -> l.get("node"))
        .containsExactly("vm:vc:1", "vm:vc:2", "vm:vc:1", "vm:vc:2", "vm:vc:1", "vm:vc:2");
    assertThat(committed.getFirst().get("instance")).isEqualTo("web-1");
  }

  @Test
  void writeStream_renamedVm_getsItsNewLabels() {
    long t = System.currentTimeMillis() - 60_000;
    sink.write("batch-0", List.of(new SampleSink.Sample("vm:vc:1", cpu("old-name"), t, 1)));
    sink.write("batch-0", List.of(new SampleSink.Sample("vm:vc:1", cpu("new-name"), t + 20_000, 1)));
    assertThat(committed).extracting(l -> l.get("vm")).containsExactly("old-name", "new-name");
    assertThat(committed).extracting(l -> l.get("instance")).containsExactly("old-name", "new-name");
  }
}
