package dev.streamvae.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamvae.vae.EpochStats;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TrainerMetricsTest {

  @Test
  void servesProgressAndResultsInPrometheusFormatOverHttp() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-11-21T00:00:00Z"), ZoneOffset.UTC);
    try (TrainerMetrics metrics = new TrainerMetrics("cpu", clock)
        .serve(new InetSocketAddress("127.0.0.1", 0))) {
      metrics.runStarted(10);
      metrics.onEpoch(new EpochStats(3, 10, 12.5, 10.0, 2.5, 9000, 1200));
      metrics.runSucceeded(7, Duration.ofSeconds(42));
      metrics.runFailed(Duration.ofSeconds(1));
      String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(body)
          .contains("streamvae_trainer_epoch{model=\"cpu\"} 3.0")
          .contains("streamvae_trainer_epochs{model=\"cpu\"} 10.0")
          .contains("streamvae_trainer_loss{model=\"cpu\",term=\"kl\"} 2.5")
          .contains("streamvae_trainer_windows_per_second{model=\"cpu\"} 9000.0")
          .contains("streamvae_trainer_published_version{model=\"cpu\"} 7.0")
          .contains("streamvae_trainer_last_success_timestamp_seconds{model=\"cpu\"} 1.7952192E9")
          .contains("streamvae_trainer_runs_total{model=\"cpu\",outcome=\"success\"} 1.0")
          .contains("streamvae_trainer_runs_total{model=\"cpu\",outcome=\"failure\"} 1.0")
          .contains("streamvae_trainer_run_duration_seconds_count{model=\"cpu\"} 2");
    }
  }

  @Test
  void durationsReadShortAndIsoForms() {
    assertThat(TrainCommand.parseDuration("--every", "90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(TrainCommand.parseDuration("--every", "6h")).isEqualTo(Duration.ofHours(6));
    assertThat(TrainCommand.parseDuration("--every", "PT15M")).isEqualTo(Duration.ofMinutes(15));
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> TrainCommand.parseDuration("--every", "soon"))
        .hasMessageContaining("--every 'soon' is not a duration");
  }
}
