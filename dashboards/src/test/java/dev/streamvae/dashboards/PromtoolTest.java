package dev.streamvae.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule file and the example scrape config pass Prometheus's own checker and rule tests. */
class PromtoolTest {

  private static final String INSTALL = "apt-get install -y prometheus (Debian/Ubuntu)";

  private static ExternalTools.Result promtool(String... args) throws Exception {
    Path promtool = ExternalTools.require("promtool", INSTALL);
    List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
    command.addAll(List.of(args));
    return ExternalTools.run(command, Rules.dir(), Duration.ofSeconds(60));
  }

  @Test
  void rulesAreValid() throws Exception {
    ExternalTools.Result r = promtool("check", "rules", "streamvae-rules.yml");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void scrapeConfigIsValidAndFindsTheRules() throws Exception {
    ExternalTools.Result r = promtool("check", "config", "prometheus.yml");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.output()).contains("SUCCESS: 1 rule files found");
  }

  @Test
  void alertsFireOnSyntheticSeriesAndStayQuietOnHealthyOnes() throws Exception {
    ExternalTools.Result r = promtool("test", "rules", "streamvae-rules.test.yml");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }
}
