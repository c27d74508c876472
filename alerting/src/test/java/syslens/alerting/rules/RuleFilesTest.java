package syslens.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleFilesTest {
  @Test
  void parseFile_prometheusFile_readsEveryField() {
    List<GroupSpec> gs = RuleFiles.parseFile("""
        groups:
          - name: node
            interval: 30s
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
                labels: {tier: "1"}
              - alert: Down
                expr: up == 0
                for: 5m
                keep_firing_for: 1m
                labels:
                  severity: critical
                annotations:
                  summary: "{{ $labels.instance }} down"
        """);

    assertThat(gs).singleElement().satisfies(g -> {
      assertThat(g.name()).isEqualTo("node");
      assertThat(g.intervalMs()).isEqualTo(30_000);
      assertThat(g.rules().get(0).kind()).isEqualTo(RuleSpec.Kind.RECORD);
      assertThat(g.rules().get(0).labels()).isEqualTo(Map.of("tier", "1"));
      RuleSpec down = g.rules().get(1);
      assertThat(down.forMs()).isEqualTo(300_000);
      assertThat(down.keepFiringForMs()).isEqualTo(60_000);
      assertThat(down.level()).isEqualTo("critical");
      assertThat(down.annotations()).containsEntry("summary", "{{ $labels.instance }} down");
    });
  }

  @Test
  void parseFile_badDuration_namesGroupRuleFieldAndLine() {
    assertThatThrownBy(() -> RuleFiles.parseFile("""
        groups:
          - name: node
            rules:
              - alert: Down
                expr: up == 0
                for: 5x
        """)).hasMessage("group \"node\" rule \"Down\" (line 6): for: \"5x\" (expected: "
        + "a duration like 30s, 5m, 1h30m)");
  }

  @Test
  void parseFile_badExpr_namesRuleAndParserError() {
    assertThatThrownBy(() -> RuleFiles.parseFile("""
        groups:
          - name: node
            rules:
              - alert: Down
                expr: up ==
        """)).hasMessageStartingWith("group \"node\" rule \"Down\" (line 5): expr: ")
        .hasMessageEndingWith("(expected: a valid PromQL expression)");
  }

  @Test
  void parseFile_unknownField_isRefused() {
    assertThatThrownBy(() -> RuleFiles.parseFile("""
        groups:
          - name: node
            rules:
              - alert: Down
                expr: up == 0
                fro: 5m
        """)).hasMessageContaining("field fro not known (expected: one of [alert, annotations,");
  }

  @Test
  void parseFile_notYaml_namesLine() {
    assertThatThrownBy(() -> RuleFiles.parseFile("groups:\n  - name: [x\n"))
        .hasMessageStartingWith("not valid YAML at line");
  }

  @Test
  void parseFile_badTemplate_refused() {
    assertThatThrownBy(() -> RuleFiles.parseFile("""
        groups:
          - name: node
            rules:
              - alert: Down
                expr: up == 0
                annotations:
                  summary: "{{ $labels.instance "
        """)).hasMessage("group \"node\" rule \"Down\": annotations.summary: unclosed "
        + "action at offset 0 (expected: }})");
  }

  @Test
  void parseGroup_trendRule_generatesPredictLinear() {
    GroupSpec g = RuleFiles.parseGroup("""
        {"name": "disks", "rules": [{"alert": "DiskFull", "kind": "trend", "level": "critical",
          "trend": {"metric": "node_filesystem_avail_bytes{mountpoint=\\"/\\"}",
                    "window": "6h", "horizon": "4h", "op": "<", "threshold": 0}}]}
        """);

    assertThat(g.rules().get(0).expr()).isEqualTo(
        "predict_linear(node_filesystem_avail_bytes{mountpoint=\"/\"}[6h], 14400) < 0");
  }

  @Test
  void parseGroup_trendOverNonSelector_refused() {
    assertThatThrownBy(() -> RuleFiles.parseGroup("""
        {"name": "d", "rules": [{"alert": "X", "kind": "trend",
          "trend": {"metric": "sum(x)", "horizon": "4h"}}]}
        """)).hasMessageContaining("trend: metric: sum(x) (expected: a selector like");
  }

  @Test
  void roundTrip_jsonModel_readsBackEqual() {
    GroupSpec g = RuleFiles.parseGroup("""
        {"name": "all", "interval": "2m", "rules": [
          {"alert": "T", "expr": "x > 1", "for": "1m", "level": "info", "labels": {"a": "b"}},
          {"alert": "D", "kind": "trend", "trend": {"metric": "y", "function": "deriv",
             "window": "10m", "op": ">", "threshold": 5}},
          {"alert": "C", "kind": "composite", "composite": {"op": "not", "rules": ["T", "D"],
             "on": ["instance"]}},
          {"alert": "A", "kind": "anomaly", "anomaly": {"expr": "z", "sensitivity": 4}},
          {"record": "r:x", "expr": "sum(x)"}]}
        """);

    assertThat(RuleFiles.parseGroup(RuleJson.groupText(g))).isEqualTo(g);
    assertThat(g.rules().get(2).composite().op()).isEqualTo("unless");
  }
}
