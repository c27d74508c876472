package syslens.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static syslens.ingest.Batch.l;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import syslens.storage.AppendStatus;
import syslens.storage.Labels;
import syslens.storage.Matcher;
import syslens.storage.Querier;
import syslens.storage.SampleIterator;
import syslens.storage.Series;
import syslens.tsdb.Tsdb;

/** The pipeline over a real TSDB: validation, relabeling, outcomes, staleness, up, publishing. */
class IngestSessionTest {
  @TempDir Path dir;
  Tsdb tsdb;
  IngestPipeline pipeline;
  final List<String> published = new ArrayList<>();
  final long t0 = System.currentTimeMillis() / 1000 * 1000 - 60_000;
  /** The pipeline's clock: real time at the start, moved only by the test, so writes made in the same millisecond are told apart. */
  final java.util.concurrent.atomic.AtomicLong nowMs = new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis());
  final java.time.Clock clock = new java.time.Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.ofEpochMilli(nowMs.get());
    }
  };

  @BeforeEach
  void open() {
    tsdb = Tsdb.builder(dir).build();
    pipeline = IngestPipeline.builder(tsdb).clock(clock).listener(new IngestListener() {
      @Override
      public void committed(Source source, Committed batch) {
        for (int i = 0; i < batch.size(); i++) {
          published.add(batch.node(i) + " " + batch.labels(i) + " " + batch.value(i));
        }
      }

      @Override
      public void ended(Source source, Identity identity) {
        published.add("ended " + identity.node());
      }
    }).build();
  }

  @AfterEach
  void close() {
    tsdb.close();
  }

  private IngestSession agent(String node) {
    return pipeline.open(new Source(Source.AGENT, node), SessionOptions.builder()
        .defaults(Map.of("env", "test", "instance", "ignored")).identity(new Identity(node, node + ".example"))
        .rounds(true).upSeries(true).build());
  }

  /** Samples (t, raw value bits as double) of the series matching {@code name} and {@code node}. */
  private List<double[]> samples(String name, String node) {
    List<double[]> out = new ArrayList<>();
    try (Querier q = tsdb.querier(0, Long.MAX_VALUE)) {
      for (Series s : q.select(List.of(Matcher.equal("__name__", name), Matcher.equal("node", node)))) {
        SampleIterator it = s.iterator();
        while (it.next()) {
          out.add(new double[] {it.timestamp(), it.value()});
        }
      }
    }
    return out;
  }

  private Labels only(String name) {
    try (Querier q = tsdb.querier(0, Long.MAX_VALUE)) {
      List<Labels> all = new ArrayList<>();
      q.select(List.of(Matcher.equal("__name__", name))).forEach(s -> all.add(s.labels()));
      assertThat(all).hasSize(1);
      return all.get(0);
    }
  }

  @Test
  void write_validBatch_storedWithIdentityAndDefaults_publishedPerNode() {
    WriteResult r = agent("n1").write(Batch.of().series(l("__name__", "load", "env", "prod"), t0, 1.5));
    assertThat(r.stored()).isTrue();
    assertThat(r.accepted()).isEqualTo(1);
    assertThat((Object) only("load")).isEqualTo(Labels.of("__name__", "load", "env", "prod", "node", "n1",
        "instance", "n1.example"));
    assertThat(published).containsExactly("n1 " + only("load") + " 1.5");
  }

  @Test
  void write_afterRestart_keepsStoragesInstanceOfTheLabels() {
    agent("n1").write(Batch.of().series(l("__name__", "load"), t0, 1));
    tsdb.close();
    tsdb = Tsdb.builder(dir).build(); // the head's labels are rebuilt from disk: not the session's
    List<Labels> written = new ArrayList<>();
    IngestPipeline again = IngestPipeline.builder(tsdb).clock(clock).listener(new IngestListener() {
      @Override
      public void committed(Source source, Committed batch) {
        for (int i = 0; i < batch.size(); i++) {
          written.add(batch.labels(i));
        }
      }
    }).build();
    again.open(new Source(Source.AGENT, "n1"), SessionOptions.builder().defaults(Map.of("env", "test"))
        .identity(new Identity("n1", "n1.example")).build()).write(Batch.of().series(l("__name__", "load"), t0 + 10_000, 2));
    assertThat(written).hasSize(1);
    assertThat((Object) written.get(0)).isSameAs(only("load"));
  }

  @Test
  void write_seriesInAnotherOrderThanTheLastBatch_eachSampleStoredUnderItsOwnSeries() {
    IngestSession s = agent("n1");
    s.write(Batch.of().series(l("__name__", "a"), t0, 1).series(l("__name__", "b"), t0, 2));
    s.write(Batch.of().series(l("__name__", "b"), t0 + 10_000, 20).series(l("__name__", "c"), t0 + 10_000, 30)
        .series(l("__name__", "a"), t0 + 10_000, 10));
    s.write(Batch.of().series(l("__name__", "a"), t0 + 20_000, 100));
    assertThat(samples("a", "n1")).extracting(x -> x[1]).containsExactly(1.0, 10.0, 100.0);
    assertThat(samples("b", "n1")).extracting(x -> x[1]).containsExactly(2.0, 20.0);
    assertThat(samples("c", "n1")).extracting(x -> x[1]).containsExactly(30.0);
  }

  @Test
  void write_reservedLabel_refusesTheBatchNamingTheLabel() {
    WriteResult r = agent("n1").write(Batch.of().series(l("__name__", "ok"), t0, 1)
        .series(l("__name__", "x", "__address__", "h:1"), t0, 1));
    assertThat(r.status()).isEqualTo(WriteResult.Status.INVALID);
    assertThat(r.reason()).isEqualTo("series 1: label name \"__address__\" is reserved (expected: no names "
        + "starting with __ other than __name__)");
    assertThat(samples("ok", "n1")).isEmpty();
  }

  @Test
  void write_duplicateLabelName_refused() {
    WriteResult r = agent("n1").write(Batch.of().series(l("__name__", "x", "a", "1", "a", "2"), t0, 1));
    assertThat(r.reason()).contains("duplicate label name \"a\"");
  }

  /** Up to 16 labels the earlier names are scanned, above a set is used: both find the duplicate. */
  @Test
  void write_duplicateLabelName_refusedWithFewAndWithManyLabels() {
    for (int n : new int[] {3, 16, 17, 40}) { // __name__, l1..l(n-2), l1 again: n names
      List<String> kv = new ArrayList<>(List.of("__name__", "x"));
      for (int k = 1; k <= n - 2; k++) {
        kv.add("l" + k);
        kv.add("v");
      }
      kv.add("l1");
      kv.add("again");
      WriteResult r = agent("n1").write(Batch.of().series(l(kv.toArray(String[]::new)), t0, 1));
      assertThat(r.reason()).as("%d labels", n).contains("duplicate label name \"l1\"");
    }
    WriteResult ok = agent("n1").write(Batch.of().series(l("__name__", "x", "a", "1", "b", "2"), t0, 1));
    assertThat(ok.status()).isEqualTo(WriteResult.Status.STORED);
  }

  @Test
  void write_collectorInvalidSeries_costsOnlyItsSamples_perSeriesIdentity() {
    SessionOptions o = SessionOptions.builder().rejectBatchOnInvalidSeries(false).sourceSeriesLimit(false).build();
    Batch b = Batch.of().series(l("__name__", "vm_cpu", "vm", "a"), new Identity("vm-1", "a"), t0, 1)
        .series(l("__name__", "bad-name"), t0, 1)
        .series(l("__name__", "vm_cpu", "vm", "b"), new Identity("vm-2", "b"), t0, 2);
    WriteResult r = pipeline.write(new Source(Source.VSPHERE, "vc"), o, b);
    assertThat(r.stored()).isTrue();
    assertThat(r.refusedByReason()).isEqualTo(Map.of("invalid_labels", 1));
    assertThat(b.outcomes).containsExactly(AppendStatus.OK, AppendStatus.INVALID_LABELS, AppendStatus.OK);
    assertThat(samples("vm_cpu", "vm-2")).hasSize(1);
    assertThat(published).contains("vm-1 vm_cpu{instance=\"a\", node=\"vm-1\", vm=\"a\"} 1.0");
  }

  @Test
  void write_outOfOrderSample_countedByReason() {
    IngestSession s = agent("n1");
    s.write(Batch.of().series(l("__name__", "g"), t0, 1));
    WriteResult r = s.write(Batch.of().series(l("__name__", "g"), t0 - 10_000, 1));
    assertThat(r.stored()).isTrue();
    assertThat(r.refusedByReason()).isEqualTo(Map.of("out_of_order", 1));
  }

  @Test
  void write_seriesMissingFromTheNextRound_getsAStaleMarkerAtThatRound() {
    IngestSession s = agent("n1");
    s.write(Batch.of().series(l("__name__", "a"), t0, 1).series(l("__name__", "b"), t0, 1));
    s.write(Batch.of().series(l("__name__", "a"), t0 + 1000, 2)); // round 2 lacks b
    assertThat(samples("b", "n1")).hasSize(1); // round 2 may continue in another batch
    s.write(Batch.of().series(l("__name__", "a"), t0 + 2000, 3)); // round 2 is complete
    List<double[]> b = samples("b", "n1");
    assertThat(b).hasSize(2);
    assertThat((long) b.get(1)[0]).isEqualTo(t0 + 1000);
    assertThat(StaleMarker.is(b.get(1)[1])).isTrue();
    assertThat(samples("a", "n1")).hasSize(3).noneMatch(x -> StaleMarker.is(x[1]));
  }

  @Test
  void write_seriesSentByRef_staleWhenMissingFromARound_andAtTheEnd_andARedefinedRefKeepsItsOldSeries() {
    IngestSession s = agent("n1");
    java.util.function.Consumer<Batch> send = b -> { // as the agent stream does: define, then write
      assertThat(s.define(b)).isZero();
      assertThat(s.write(b).stored()).isTrue();
    };
    send.accept(Batch.of().ref(1, l("__name__", "a"), t0, 1).ref(2, l("__name__", "b"), t0, 1)
        .ref(3, l("__name__", "c"), t0, 1));
    send.accept(Batch.of().ref(1, l(), t0 + 1000, 2).ref(3, l(), t0 + 1000, 2)); // round 2 lacks b
    send.accept(Batch.of().ref(1, l(), t0 + 2000, 3).ref(3, l("__name__", "d"), t0 + 2000, 3)); // ref 3 is d now
    List<double[]> b = samples("b", "n1");
    assertThat(b).hasSize(2);
    assertThat((long) b.get(1)[0]).isEqualTo(t0 + 1000);
    assertThat(StaleMarker.is(b.get(1)[1])).isTrue();
    send.accept(Batch.of().ref(1, l(), t0 + 3000, 4).ref(3, l(), t0 + 3000, 4)); // round 3 complete: c lacked it
    List<double[]> c = samples("c", "n1");
    assertThat(c).hasSize(3);
    assertThat((long) c.get(2)[0]).isEqualTo(t0 + 2000);
    assertThat(StaleMarker.is(c.get(2)[1])).isTrue();
    s.end();
    assertThat(samples("a", "n1")).hasSize(5);
    assertThat(StaleMarker.is(samples("a", "n1").get(4)[1])).isTrue();
    assertThat((long) samples("d", "n1").get(2)[0]).isEqualTo(t0 + 3001);
    assertThat(StaleMarker.is(samples("d", "n1").get(2)[1])).isTrue();
  }

  @Test
  void write_batchOfSeveralRounds_everySampleStored_upAtEachRound() {
    IngestSession s = agent("n1");
    s.write(Batch.of().series(l("__name__", "a"), t0, 1));
    WriteResult r = s.write(Batch.of()
        .series(l("__name__", "a"), new long[] {t0 + 1000, t0 + 2000, t0 + 3000}, new double[] {2, 3, 4})
        .series(l("__name__", "b"), new long[] {t0 + 1000, t0 + 3000}, new double[] {7, 8}));
    assertThat(r.accepted()).isEqualTo(5);
    assertThat(samples("a", "n1")).extracting(x -> x[1]).containsExactly(1.0, 2.0, 3.0, 4.0);
    assertThat(samples("up", "n1")).extracting(x -> (long) x[0])
        .containsExactly(t0, t0 + 1000, t0 + 2000, t0 + 3000);
  }

  @Test
  void end_marksEverySeriesStaleJustAfterItsNewestSample_andUpGoesToZero() {
    IngestSession s = agent("n1");
    s.write(Batch.of().series(l("__name__", "a"), t0, 1));
    s.write(Batch.of().series(l("__name__", "a"), t0 + 1000, 2));
    s.end();
    List<double[]> a = samples("a", "n1");
    assertThat(a).hasSize(3);
    assertThat((long) a.get(2)[0]).isEqualTo(t0 + 1001);
    assertThat(StaleMarker.is(a.get(2)[1])).isTrue();
    List<double[]> up = samples("up", "n1");
    assertThat(up).extracting(x -> x[1]).containsExactly(1.0, 1.0, 0.0);
    assertThat((Object) only("up")).isEqualTo(Labels.of("__name__", "up", "env", "test", "node", "n1", "instance", "n1.example"));
    assertThat(published).contains("ended n1");

    // A new session of the node replays newer rounds: taken, not refused by the markers.
    WriteResult replay = agent("n1").write(Batch.of().series(l("__name__", "a"), t0 + 2000, 3));
    assertThat(replay.refused()).isZero();
  }

  @Test
  void write_nodeLabelOfAnAgentFromAnotherSource_keptAsExportedNode() {
    IngestPipeline guarded = IngestPipeline.builder(tsdb).agentNodes("web1"::equals).build();
    SessionOptions o = SessionOptions.builder().build();
    guarded.write(new Source(Source.REMOTE_WRITE, "apikey:1"), o, Batch.of()
        .series(l("__name__", "spoof", "node", "web1"), t0, 1)
        .series(l("__name__", "other", "node", "k8s-node-3"), t0, 1));
    assertThat((Object) only("spoof")).isEqualTo(Labels.of("__name__", "spoof", "exported_node", "web1"));
    assertThat((Object) only("other")).isEqualTo(Labels.of("__name__", "other", "node", "k8s-node-3"));
  }

  /** The real TSDB behind an appender whose commit fails as on a full disk (injected fault). */
  private syslens.storage.Storage failingCommits() {
    return new syslens.storage.Storage() {
      @Override
      public syslens.storage.Appender appender() {
        syslens.storage.Appender real = tsdb.appender();
        return new syslens.storage.Appender() {
          @Override
          public AppendStatus append(Labels labels, long t, double v) {
            return real.append(labels, t, v);
          }

          @Override
          public void commit() {
            real.rollback();
            throw new syslens.storage.StorageException("no space left on device", null);
          }

          @Override
          public void rollback() {
            real.rollback();
          }
        };
      }

      @Override
      public Querier querier(long mint, long maxt) {
        return tsdb.querier(mint, maxt);
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void write_commitFails_unavailableWithTheReason_nothingPublished() {
    IngestPipeline failing = IngestPipeline.builder(failingCommits()).listener(new IngestListener() {
      @Override
      public void committed(Source source, Committed batch) {
        published.add("committed");
      }
    }).build();
    WriteResult r = failing.open(new Source(Source.AGENT, "n1"), SessionOptions.builder()
        .identity(new Identity("n1", "h")).rounds(true).upSeries(true).build())
        .write(Batch.of().series(l("__name__", "g"), t0, 1));
    assertThat(r.status()).isEqualTo(WriteResult.Status.UNAVAILABLE);
    assertThat(r.reason()).isEqualTo("server storage unavailable, batch not stored: no space left on device");
    assertThat(published).isEmpty();
    assertThat(samples("g", "n1")).isEmpty();
  }

  @Test
  void writeAway_upStaysZeroWhileTheNodeIsAway() {
    IngestSession s = agent("n1");
    s.write(Batch.of().series(l("__name__", "a"), t0, 1));
    s.end();
    nowMs.addAndGet(15_000);
    pipeline.writeAway(List.of(new IngestPipeline.Away(new Identity("n1", "n1.example"), Map.of("env", "test"))));
    List<double[]> up = samples("up", "n1");
    assertThat(up).extracting(x -> x[1]).containsExactly(1.0, 0.0, 0.0);
  }

  @Test
  void write_overShapeLimits_invalidNamingTheLimit() {
    SessionOptions o = SessionOptions.builder().limits(1, 1, 1).build();
    WriteResult r = pipeline.write(new Source(Source.IMPORT, "k"), o,
        Batch.of().series(l("__name__", "a"), t0, 1).series(l("__name__", "b"), t0, 1));
    assertThat(r.reason()).isEqualTo("series: 2 (expected: <= 1 per batch)");
  }

  @Test
  void write_seriesRefs_labelsOncePerSessionThenTheRefAlone() {
    IngestSession s = pipeline.open(new Source(Source.AGENT, "n1"), SessionOptions.builder()
        .identity(new Identity("n1", "n1.example")).rejectBatchOnInvalidSeries(false).build());
    Batch first = Batch.of().ref(1, l("__name__", "cpu", "mode", "idle"), t0, 1).ref(2, l("__name__", "bad name"), t0, 2);
    assertThat(s.define(first)).isZero();
    WriteResult w = s.write(first);
    assertThat(w.accepted()).as(w.toString()).isEqualTo(1);
    Batch later = Batch.of().ref(1, l(), t0 + 10_000, 3).ref(2, l(), t0 + 10_000, 4);
    assertThat(s.define(later)).as("both refs were defined, one with labels storage refuses").isZero();
    WriteResult r = s.write(later);
    assertThat(r.accepted()).isEqualTo(1);
    assertThat(r.refusedByReason()).containsEntry("invalid_labels", 1);
    assertThat(samples("cpu", "n1")).extracting(x -> x[1]).containsExactly(1.0, 3.0);
    assertThat(only("cpu").get("mode")).isEqualTo("idle");

    assertThat(s.define(Batch.of().ref(7, l(), t0 + 20_000, 5))).as("never defined").isEqualTo(7);
    IngestSession other = agent("n2");
    assertThat(other.define(Batch.of().ref(1, l(), t0, 1))).as("refs belong to one session").isEqualTo(1);
    WriteResult tooBig = s.write(Batch.of().ref(IngestSession.MAX_REFS + 1, l("__name__", "x"), t0, 1));
    assertThat(tooBig.status()).isEqualTo(WriteResult.Status.INVALID);
    assertThat(tooBig.reason()).contains("ref " + (IngestSession.MAX_REFS + 1)).contains("expected: 0.." + IngestSession.MAX_REFS);
  }
}
