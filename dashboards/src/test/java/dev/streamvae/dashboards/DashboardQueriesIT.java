package dev.streamvae.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every query of both dashboards and every rule of streamvae-rules.yml, run by a real Prometheus
 * that scrapes a real scorer (and the trainer's metrics endpoint) driven through no model,
 * version 1, dead letters, a rejected envelope (version 2) and version 3. Each query must be valid and
 * return data; alert conditions must return data once their final comparison is removed, and
 * the alerts this state should raise must be raised.
 */
class DashboardQueriesIT {

  private static final String INSTALL = "apt-get install -y prometheus (Debian/Ubuntu; the"
      + " package's service is not needed, the test starts its own server)";
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((.+),\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)\\s*$");

  private static final Logger LOG = LoggerFactory.getLogger(DashboardQueriesIT.class);
  private static final long STARTED = System.nanoTime();

  private static ScoringStack stack;
  private static PrometheusServer prometheus;
  private static double beforeFirstModel;
  private static long expectedRecords;
  private static final Map<String, Map<String, String>> variables = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    Path binary = ExternalTools.require("prometheus", INSTALL);
    stack = ScoringStack.start();
    stack.awaitUp();
    phase("scorer up");
    System.gc(); // so that jvm_gc_pause_seconds exists even in a JVM that has not collected yet
    prometheus = PrometheusServer.start(binary, Rules.file(), List.of(
        new PrometheusServer.Job("streamvae-scorer", "/prometheus", stack.scorerTarget()),
        new PrometheusServer.Job("streamvae-trainer", "/metrics", stack.trainerTarget())));
    awaitPrometheus("both targets up with a few scrapes",
        "count_over_time(up[1m]) >= 2 and up == 1", 2);
    phase("prometheus scraping");

    // No model yet: records are answered NO_MODEL and the version gauge is -1.
    stack.sendPoints("a", 5, false);
    send(5);
    awaitPrometheus("the NO_MODEL records", "streamvae_records_total{outcome=\"no_model\"} == 5",
        1);
    beforeFirstModel = System.currentTimeMillis() / 1000.0;
    phase("no-model records seen by prometheus");

    // Version 1: warming up, scored, a spike that is flagged; malformed records.
    stack.trained();
    phase("trained");
    stack.publishNextVersion();
    stack.sendPoints("a", 30, true);
    stack.sendPoints("b", 20, false);
    stack.sendBadRecords();
    send(53);

    // A corrupt envelope (version 2) is rejected; version numbers only grow, so version 3
    // replaces version 1.
    stack.publishCorruptVersion();
    stack.publishNextVersion();
    stack.sendPoints("a", 10, true);
    send(10);
    phase("version 3 scored");

    awaitPrometheus("the final state", "streamvae_model_version == 3 and on (job, instance)"
        + " sum by (job, instance) (streamvae_records_total) == " + expectedRecords, 1);
    for (Rules.Rule r : Rules.recordings()) {
      awaitPrometheus("recording rule " + r.name(), "count_over_time(" + r.name() + "[1m]) >= 2",
          1);
    }
    phase("prometheus has the final state and the recorded series");
  }

  private static void phase(String what) {
    LOG.info("{} after {} s", what, String.format("%.1f", (System.nanoTime() - STARTED) / 1e9));
  }

  private static void send(int records) {
    expectedRecords += records;
    stack.awaitRecordsCounted(expectedRecords);
  }

  private static void awaitPrometheus(String what, String promql, int atLeast) {
    try {
      await(what).atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(250))
          .until(() -> prometheus.result(promql).size() >= atLeast);
    } catch (RuntimeException e) {
      throw new AssertionError("Prometheus never showed " + what + " (" + promql + "); its log:\n"
          + prometheus.log(), e);
    }
  }

  @AfterAll
  static void stop() {
    try {
      if (prometheus != null) {
        prometheus.close();
      }
    } finally {
      if (stack != null) {
        stack.close();
      }
    }
  }

  /**
   * Values for a dashboard's template variables, resolved in order the way Grafana does:
   * {@code label_values(selector, label)} against this Prometheus; multi-value and include-all
   * variables take every value, escaped and joined like Grafana's Prometheus data source does.
   */
  private static synchronized Map<String, String> variables(Dashboards.Dashboard d)
      throws Exception {
    Map<String, String> cached = variables.get(d.file());
    if (cached != null) {
      return cached;
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (JsonNode v : d.variables()) {
      String name = v.path("name").asText();
      switch (v.path("type").asText()) {
        case "datasource" -> values.put(name, "prometheus");
        case "constant", "custom", "textbox" -> values.put(name, v.path("query").asText());
        case "query" -> {
          String definition = PromQl.substitute(v.path("definition").asText(), values);
          Matcher m = LABEL_VALUES.matcher(definition);
          assertThat(m.matches()).as(d.file() + " $" + name + ": " + definition).isTrue();
          List<String> found = prometheus.labelValues(m.group(1), m.group(2));
          assertThat(found).as(d.file() + " $" + name + " = " + definition).isNotEmpty();
          boolean multi = v.path("multi").asBoolean() || v.path("includeAll").asBoolean();
          values.put(name, !multi ? found.get(0) : found.size() == 1
              ? PromQl.grafanaRegexEscape(found.get(0))
              : found.stream().map(PromQl::grafanaRegexEscape)
                  .collect(Collectors.joining("|", "(", ")")));
        }
        default -> throw new AssertionError(d.file() + " $" + name + ": unexpected type "
            + v.path("type").asText());
      }
    }
    variables.put(d.file(), values);
    return values;
  }

  private static JsonNode assertValid(String what, String promql) throws Exception {
    assertThat(PromQl.hasVariables(promql)).as(what + ": unsubstituted variable in " + promql)
        .isFalse();
    JsonNode response = prometheus.query(promql);
    assertThat(response.path("status").asText())
        .as(what + ": " + promql + " -> " + response.path("error").asText()).isEqualTo("success");
    return response.path("data").path("result");
  }

  private static void assertReturnsData(String what, String promql) throws Exception {
    JsonNode result = assertValid(what, promql);
    assertThat(result.size()).as(what + " returned no data: " + promql).isPositive();
  }

  @TestFactory
  List<DynamicTest> templateVariablesResolve() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Dashboards.Dashboard d : Dashboards.all()) {
      tests.add(dynamicTest(d.file(), () -> assertThat(variables(d))
          .containsKeys("datasource", "job", "instance").doesNotContainValue("")));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyPanelQueryReturnsData() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Dashboards.Dashboard d : Dashboards.all()) {
      for (Dashboards.Query q : Dashboards.queries(d)) {
        tests.add(dynamicTest(q.toString(), () ->
            assertReturnsData(q.toString(), PromQl.substitute(q.expr(), variables(d)))));
      }
    }
    assertThat(tests).hasSizeGreaterThan(40);
    return tests;
  }

  @TestFactory
  List<DynamicTest> annotationQueriesAreValid() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Dashboards.Dashboard d : Dashboards.all()) {
      for (JsonNode a : d.prometheusAnnotations()) {
        String what = d.file() + " / annotation " + a.path("name").asText();
        tests.add(dynamicTest(what, () -> {
          String expr = PromQl.substitute(a.path("target").path("expr").asText(), variables(d));
          assertValid(what, expr);
          for (String operand : PromQl.conditionOperands(expr)) {
            assertReturnsData(what, operand);
          }
        }));
      }
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyRecordingRuleReturnsDataAndIsRecorded() {
    return Rules.recordings().stream().map(r -> dynamicTest(r.name(), () -> {
      assertReturnsData(r.name(), r.expr());
      assertReturnsData(r.name() + " (recorded series)", r.name());
    })).toList();
  }

  @TestFactory
  List<DynamicTest> everyAlertConditionIsValidAndItsOperandsReturnData() {
    return Rules.alerts().stream().map(r -> dynamicTest(r.name(), () -> {
      assertValid(r.name(), r.expr());
      List<String> operands = PromQl.conditionOperands(r.expr());
      assertThat(operands).as(r.name()).isNotEmpty();
      for (String operand : operands) {
        assertReturnsData(r.name() + " without its comparison", operand);
      }
    })).toList();
  }

  @Test
  void alertsThatThisStateShouldRaiseAreRaised() {
    // The corrupt envelope was rejected: for: 0m, so firing at the next evaluation.
    await("StreamvaeModelRejected firing").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> "firing".equals(prometheus.alertState("StreamvaeModelRejected")));
    // 3 of the ~68 records were dead-lettered and a spike was flagged in many windows: both
    // conditions hold, and wait out their for: (pending).
    await("StreamvaeDeadLetterRate pending").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> List.of("pending", "firing")
            .contains(prometheus.alertState("StreamvaeDeadLetterRate")));
    await("StreamvaeAnomalyBurst pending").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> List.of("pending", "firing")
            .contains(prometheus.alertState("StreamvaeAnomalyBurst")));
  }

  @Test
  void alertsThatThisStateShouldNotRaiseAreNot() throws Exception {
    for (String alert : List.of("StreamvaeScorerDown", "StreamvaeNoModelActive",
        "StreamvaeConsumerLagGrowing", "StreamvaeStreamsNotRunning", "StreamvaeTrainingFailed")) {
      assertThat(prometheus.alertState(alert)).as(alert).isEqualTo("inactive");
    }
  }

  @Test
  void theNoModelConditionHeldBeforeTheFirstModelOnly() throws Exception {
    String expr = Rules.alerts().stream().filter(r -> r.name().equals("StreamvaeNoModelActive"))
        .findFirst().orElseThrow().expr();
    JsonNode before = prometheus.queryAt(expr, beforeFirstModel);
    assertThat(before.path("status").asText()).isEqualTo("success");
    assertThat(before.path("data").path("result").size()).as(expr + " before version 1")
        .isEqualTo(1);
    assertThat(before.path("data").path("result").get(0).path("metric").path("model").asText())
        .isEqualTo(ScoringStack.MODEL);
    assertThat(prometheus.result(expr).size()).as(expr + " now").isZero();
  }
}
