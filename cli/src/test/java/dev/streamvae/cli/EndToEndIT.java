package dev.streamvae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole product on a real broker: synthetic series with injected spikes and level shifts,
 * the trainer publishing version 1, the scorer scoring, version 2 published while records keep
 * flowing and picked up without a restart. Every produced record is matched one by one with
 * exactly one output (a score record or a dead letter) by the demo's ledger.
 */
class EndToEndIT {

  @Test
  @SuppressWarnings("unchecked")
  void everyRecordGetsOneOutputAnomaliesAreFlaggedAndVersionTwoTakesOverLive() throws Exception {
    DemoOptions options = new DemoOptions(Duration.ofSeconds(70),
        java.nio.file.Path.of("target", "e2e-summary.json"), 6,
        Duration.ofMillis(50), 1200, 0.004, Duration.ofSeconds(25), 10, 0.98, 0, 11, true);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    DemoRun.Result result = new DemoRun(options,
        new PrintStream(log, true, StandardCharsets.UTF_8)).run();
    Map<String, Object> s = result.summary();
    String context = log.toString(StandardCharsets.UTF_8);

    assertThat(s.get("error")).as(context).isNull();
    long produced = ((Number) s.get("produced")).longValue();
    long scored = ((Number) s.get("scored")).longValue();
    long deadLettered = ((Number) s.get("deadLettered")).longValue();
    long unscored = ((Number) s.get("unscored")).longValue();
    assertThat(produced).isGreaterThan(10_000);
    assertThat(produced).as("every input has an output").isEqualTo(scored + deadLettered + unscored);
    assertThat(s.get("missing")).isEqualTo(0L);
    assertThat(s.get("duplicates")).isEqualTo(0L);
    assertThat(s.get("unmatched")).isEqualTo(0L);
    assertThat(result.balanced()).isTrue();

    assertThat((List<Long>) s.get("publishedVersions")).containsExactly(1L, 2L);
    assertThat((List<Long>) s.get("modelVersions")).as("both versions scored records, live")
        .containsExactly(1L, 2L);
    assertThat(scored).as("live records were scored").isGreaterThan(2_000);
    assertThat(deadLettered).as("the junk records").isPositive();
    assertThat((Map<String, Integer>) s.get("deadLetterReasons"))
        .containsKeys("unparseable", "non-finite-value", "missing-key");

    Map<String, Object> detection = (Map<String, Object>) s.get("detection");
    assertThat(((Number) detection.get("injectedEventsScored")).intValue())
        .as("enough injected anomalies were scored to judge").isGreaterThanOrEqualTo(10);
    assertThat(((Number) detection.get("eventRecall")).doubleValue())
        .as("most injected anomalies are flagged: " + detection).isGreaterThanOrEqualTo(0.7);
    assertThat(((Number) detection.get("falsePositiveRate")).doubleValue())
        .as("few normal records are flagged: " + detection).isLessThanOrEqualTo(0.02);
    // Alerts are the anomalies that start or worsen: some, and no more than the anomalies.
    long anomalies = ((Number) s.get("anomalies")).longValue();
    long alerts = ((Number) s.get("alerts")).longValue();
    assertThat(alerts).as(context).isPositive().isLessThanOrEqualTo(anomalies);
    // An alert is an anomaly: events alerted and false alerts are subsets of the flagged ones.
    assertThat(((Number) detection.get("injectedEventsAlerted")).intValue()).as(context)
        .isPositive()
        .isLessThanOrEqualTo(((Number) detection.get("injectedEventsDetected")).intValue());
    assertThat(((Number) detection.get("normalRecordsAlerted")).longValue())
        .isLessThanOrEqualTo(((Number) detection.get("normalRecordsFlagged")).longValue());
  }
}
