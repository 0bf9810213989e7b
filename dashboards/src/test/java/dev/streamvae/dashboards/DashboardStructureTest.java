package dev.streamvae.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Static checks of the dashboards, provisioning and rules that need no external program: every
 * panel has a data source, a title and a query; every alert has a for, a severity, a summary and
 * a description, and a promtool unit test that makes it fire.
 */
class DashboardStructureTest {

  private static final String DATASOURCE_VAR = "${datasource}";
  private static final String PROVISIONED_UID = "prometheus";

  @Test
  void everyPanelHasADataSourceATitleAndAQuery() {
    for (Dashboards.Dashboard d : Dashboards.all()) {
      assertThat(d.panels()).as(d.file()).hasSizeGreaterThan(5);
      for (JsonNode p : d.panels()) {
        String where = d.file() + " / " + p.path("title").asText("<untitled>");
        assertThat(p.path("title").asText()).as(where + " title").isNotBlank();
        assertThat(p.path("description").asText()).as(where + " description").isNotBlank();
        assertThat(p.path("type").asText()).as(where + " type").isNotBlank();
        assertThat(p.path("datasource").path("type").asText()).as(where).isEqualTo("prometheus");
        assertThat(p.path("datasource").path("uid").asText()).as(where).isEqualTo(DATASOURCE_VAR);
        assertThat(p.path("targets").isArray() && p.path("targets").size() > 0)
            .as(where + " has at least one target").isTrue();
        Set<String> refIds = new HashSet<>();
        for (JsonNode t : p.path("targets")) {
          assertThat(t.path("expr").asText()).as(where + " expr").isNotBlank();
          assertThat(refIds.add(t.path("refId").asText())).as(where + " unique refId " + t)
              .isTrue();
          assertThat(t.path("datasource").path("uid").asText()).as(where + " target datasource")
              .isEqualTo(DATASOURCE_VAR);
        }
      }
    }
  }

  @Test
  void panelsHaveUniqueIdsAndFitTheGrid() {
    for (Dashboards.Dashboard d : Dashboards.all()) {
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : d.json().path("panels")) {
        String where = d.file() + " / " + p.path("title").asText();
        assertThat(ids.add(p.path("id").asInt())).as(where + " unique id").isTrue();
        JsonNode g = p.path("gridPos");
        assertThat(g.path("w").asInt()).as(where).isPositive();
        assertThat(g.path("h").asInt()).as(where).isPositive();
        assertThat(g.path("x").asInt() + g.path("w").asInt()).as(where).isLessThanOrEqualTo(24);
      }
      assertThat(d.json().path("uid").asText()).as(d.file()).startsWith("streamvae-");
      assertThat(d.title()).as(d.file()).startsWith("streamvae / ");
    }
  }

  @Test
  void theDataSourceVariableDefaultsToTheProvisionedPrometheus() throws Exception {
    Map<String, Object> provisioned = Rules.load(ExternalTools.moduleDir()
        .resolve("provisioning/datasources/prometheus.yml"));
    @SuppressWarnings("unchecked")
    Map<String, Object> ds = ((List<Map<String, Object>>) provisioned.get("datasources")).get(0);
    assertThat(ds).containsEntry("uid", PROVISIONED_UID).containsEntry("type", "prometheus")
        .containsEntry("url", "http://prometheus:9090");
    for (Dashboards.Dashboard d : Dashboards.all()) {
      JsonNode var = d.variables().stream()
          .filter(v -> v.path("name").asText().equals("datasource")).findFirst().orElseThrow();
      assertThat(var.path("type").asText()).isEqualTo("datasource");
      assertThat(var.path("query").asText()).isEqualTo("prometheus");
      assertThat(var.path("current").path("value").asText()).isEqualTo(PROVISIONED_UID);
    }
    Map<String, Object> provider = Rules.load(ExternalTools.moduleDir()
        .resolve("provisioning/dashboards/streamvae.yml"));
    assertThat(provider.toString()).contains("type=file")
        .contains("path=/var/lib/grafana/dashboards");
  }

  @Test
  void queryVariablesUseLabelValues() {
    for (Dashboards.Dashboard d : Dashboards.all()) {
      for (JsonNode v : d.variables()) {
        if (v.path("type").asText().equals("query")) {
          assertThat(v.path("definition").asText()).as(d.file() + " $" + v.path("name").asText())
              .matches("label_values\\(.+, *[a-z_]+\\)");
        }
      }
    }
  }

  @Test
  void everyAlertHasForSeveritySummaryAndDescription() {
    List<Rules.Rule> alerts = Rules.alerts();
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(6);
    assertThat(alerts.stream().map(Rules.Rule::name).collect(Collectors.toSet()))
        .hasSameSizeAs(alerts)
        .contains("StreamvaeScorerDown", "StreamvaeNoModelActive", "StreamvaeModelRejected",
            "StreamvaeAnomalyBurst", "StreamvaeDeadLetterRate", "StreamvaeConsumerLagGrowing");
    for (Rules.Rule a : alerts) {
      assertThat(a.raw()).as(a.name()).containsKey("for");
      assertThat(String.valueOf(a.raw().get("for"))).as(a.name()).matches("[0-9]+[smh]");
      assertThat(a.labels().get("severity")).as(a.name())
          .isIn("critical", "warning", "info");
      assertThat(String.valueOf(a.annotations().get("summary"))).as(a.name()).isNotBlank()
          .isNotEqualTo("null");
      assertThat(String.valueOf(a.annotations().get("description"))).as(a.name())
          .isNotBlank().isNotEqualTo("null");
    }
  }

  @Test
  void recordingRulesFollowTheNamingConvention() {
    List<Rules.Rule> recordings = Rules.recordings();
    assertThat(recordings).extracting(Rules.Rule::name)
        .contains("streamvae:records:rate1m", "streamvae:anomaly_ratio:rate5m")
        .allSatisfy(n -> assertThat(n).matches("streamvae:[a-z0-9_]+:[a-z0-9_]+"))
        .doesNotHaveDuplicates();
  }

  @Test
  void everyAlertFiresInAPromtoolUnitTest() throws Exception {
    String tests = Files.readString(Rules.dir().resolve("streamvae-rules.test.yml"));
    Map<String, Object> doc = Rules.load(Rules.dir().resolve("streamvae-rules.test.yml"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> cases = (List<Map<String, Object>>) doc.get("tests");
    Set<String> fired = new HashSet<>();
    for (Map<String, Object> c : cases) {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> checks = (List<Map<String, Object>>) c.getOrDefault(
          "alert_rule_test", List.of());
      for (Map<String, Object> check : checks) {
        if (!((List<?>) check.get("exp_alerts")).isEmpty()) {
          fired.add((String) check.get("alertname"));
        }
      }
    }
    assertThat(fired).as(tests).containsAll(
        Rules.alerts().stream().map(Rules.Rule::name).toList());
  }

  @Test
  void theExampleScrapeConfigHasBothJobsAndTheRules() {
    Path config = Rules.dir().resolve("prometheus.yml");
    Map<String, Object> doc = Rules.load(config);
    assertThat(String.valueOf(doc.get("rule_files"))).isEqualTo("[streamvae-rules.yml]");
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> jobs = ((List<Map<String, Object>>) doc.get("scrape_configs"))
        .stream().collect(Collectors.toMap(j -> (String) j.get("job_name"), j -> j));
    assertThat(jobs.get("streamvae-scorer")).containsEntry("metrics_path", "/prometheus");
    assertThat(jobs.get("streamvae-scorer").toString()).contains("scorer:8080");
    assertThat(jobs.get("streamvae-trainer")).containsEntry("metrics_path", "/metrics");
    assertThat(jobs.get("streamvae-trainer").toString()).contains("trainer:9404");
  }
}
