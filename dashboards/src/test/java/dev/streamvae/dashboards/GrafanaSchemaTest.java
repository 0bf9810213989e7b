package dev.streamvae.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Type-checks both dashboards against the {@code Dashboard} type of npm's {@code @grafana/schema}
 * with {@code tsc} ({@code dashboards/schema-check/}), and proves the check catches mistakes.
 */
class GrafanaSchemaTest {

  private static final String INSTALL = "Node.js 18+ with npm (e.g. apt-get install -y nodejs npm,"
      + " or actions/setup-node)";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path schemaCheck;
  private static Path npx;

  @BeforeAll
  static void install() throws Exception {
    ExternalTools.require("node", INSTALL);
    Path npm = ExternalTools.require("npm", INSTALL);
    npx = ExternalTools.require("npx", INSTALL);
    schemaCheck = ExternalTools.moduleDir().resolve("schema-check");
    if (!installedAsLocked()) {
      ExternalTools.Result r = ExternalTools.run(
          List.of(npm.toString(), "ci", "--no-audit", "--no-fund"), schemaCheck,
          Duration.ofMinutes(5));
      assertThat(r.exitCode()).as("npm ci in " + schemaCheck + ": " + r).isZero();
    }
  }

  /** Whether node_modules holds exactly the versions package.json pins. */
  @SuppressWarnings("unchecked")
  private static boolean installedAsLocked() throws Exception {
    Map<String, String> pinned = (Map<String, String>) JSON.readValue(
        schemaCheck.resolve("package.json").toFile(), Map.class).get("devDependencies");
    for (Map.Entry<String, String> dep : pinned.entrySet()) {
      Path installed = schemaCheck.resolve("node_modules").resolve(dep.getKey())
          .resolve("package.json");
      if (!Files.isRegularFile(installed) || !dep.getValue().equals(
          JSON.readTree(installed.toFile()).path("version").asText())) {
        return false;
      }
    }
    return true;
  }

  private static ExternalTools.Result tsc(Path project) throws Exception {
    return ExternalTools.run(List.of(npx.toString(), "--no-install", "tsc", "--noEmit", "-p",
        project.toString()), schemaCheck, Duration.ofMinutes(2));
  }

  @Test
  void dashboardsMatchTheGrafanaSchema() throws Exception {
    ExternalTools.Result r = tsc(schemaCheck);
    assertThat(r.exitCode()).as("tsc on " + schemaCheck + ": " + r).isZero();
  }

  @Test
  void theCheckCatchesBrokenDashboards() throws Exception {
    Path dir = ExternalTools.moduleDir().resolve("target/schema-negative");
    Files.createDirectories(dir);
    ObjectNode panelsNotAList = (ObjectNode) JSON.readTree(
        Dashboards.dir().resolve("streamvae-overview.json").toFile());
    panelsNotAList.put("panels", "oops");
    JSON.writeValue(dir.resolve("panels-not-a-list.json").toFile(), panelsNotAList);
    ObjectNode gridWithoutHeight = (ObjectNode) JSON.readTree(
        Dashboards.dir().resolve("streamvae-streams-jvm.json").toFile());
    ((ObjectNode) gridWithoutHeight.path("panels").get(1).path("gridPos")).remove("h");
    JSON.writeValue(dir.resolve("grid-without-height.json").toFile(), gridWithoutHeight);
    Files.writeString(dir.resolve("check.ts"), String.join("\n",
        "import type { DashboardJson } from '../../schema-check/dashboard-type';",
        "import panelsNotAList from './panels-not-a-list.json';",
        "import gridWithoutHeight from './grid-without-height.json';",
        "export const a: DashboardJson = panelsNotAList;",
        "export const b: DashboardJson = gridWithoutHeight;", ""));
    Files.writeString(dir.resolve("tsconfig.json"),
        "{\"extends\": \"../../schema-check/tsconfig.json\", \"files\": [\"check.ts\"]}\n");

    ExternalTools.Result r = tsc(dir);

    assertThat(r.exitCode()).as(r.toString()).isNotZero();
    assertThat(r.output()).as(r.toString())
        .contains("check.ts(4,").contains("check.ts(5,")
        .contains("Type 'string' is not assignable")
        .contains("Type 'undefined' is not assignable to type 'number'");
  }
}
