package dev.streamvae.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void stripsTheFinalComparisonOfEachSetOperand() {
    assertThat(PromQl.conditionOperands("up{job=\"streamvae-scorer\"} == 0"))
        .containsExactly("up{job=\"streamvae-scorer\"}");
    assertThat(PromQl.conditionOperands(
        "(sum by (job) (rate(a[5m])) / sum by (job) (rate(b{x!=\"y\"}[5m]))) > 0.05\n"
            + "and on (job) sum by (job) (rate(b[5m])) >= 0.1"))
        .containsExactly("(sum by (job) (rate(a[5m])) / sum by (job) (rate(b{x!=\"y\"}[5m])))",
            "sum by (job) (rate(b[5m]))");
    assertThat(PromQl.conditionOperands("max by (i) (s{le=\">\"}) != 2 unless c < 1"))
        .containsExactly("max by (i) (s{le=\">\"})", "c");
    assertThat(PromQl.conditionOperands("absent(up{job=\"x\"})"))
        .containsExactly("up{job=\"x\"}");
    assertThat(PromQl.conditionOperands("rate(brand_total[1m])"))
        .containsExactly("rate(brand_total[1m])");
  }

  @Test
  void substitutesGrafanaVariables() {
    assertThat(PromQl.substitute(
        "rate(x{job=~\"$job\", instance=~\"${instance}\", m=~\"[[model]]\"}[$__rate_interval])"
            + " + y[$__interval] + $jobs",
        Map.of("job", "j", "jobs", "J", "instance", "i", "model", "m")))
        .isEqualTo("rate(x{job=~\"j\", instance=~\"i\", m=~\"m\"}[1m]) + y[15s] + J");
    assertThat(PromQl.hasVariables("x{a=\"$b\"}")).isTrue();
    assertThat(PromQl.hasVariables("x{a=\"b\"}[5m]")).isFalse();
  }

  @Test
  void escapesLikeGrafana() {
    assertThat(PromQl.grafanaRegexEscape("127.0.0.1:8080")).isEqualTo("127\\\\.0\\\\.0\\\\.1:8080");
  }
}
