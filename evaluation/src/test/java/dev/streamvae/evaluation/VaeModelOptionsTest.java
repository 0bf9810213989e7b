package dev.streamvae.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamvae.evaluation.detect.Series;
import dev.streamvae.evaluation.detect.VaeDetector;
import dev.streamvae.vae.VaeConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The evaluation's --vae-condition and --vae-architecture reach the detector's model. */
class VaeModelOptionsTest {

  private static DetectorOptions parse(String... args) {
    DetectorOptions options = new DetectorOptions();
    new CommandLine(options).parseArgs(args);
    return options;
  }

  @Test
  void theDefaultsAreUnchangedAndTheFlagsReachTheConfig() {
    VaeConfig defaults = parse().vaeSettings().config();
    assertThat(defaults.conditioning()).isEqualTo(VaeConfig.Conditioning.NONE);
    assertThat(defaults.architecture()).isEqualTo(VaeConfig.ArchitectureKind.DENSE);
    VaeConfig chosen = parse("--vae-condition", "time-of-week", "--vae-architecture", "conv1d")
        .vaeSettings().config();
    assertThat(chosen.conditioning()).isEqualTo(VaeConfig.Conditioning.TIME_OF_WEEK);
    assertThat(chosen.architecture()).isEqualTo(VaeConfig.ArchitectureKind.CONV1D);
    assertThat(parse("--vae-condition", "time-of-week").describe(java.util.List.of("vae")))
        .extractingByKey("vae").asString().contains("conditioning=time-of-week");
    assertThat(defaults.mcSamples()).isEqualTo(1);
    assertThat(parse("--pipeline", "research").vaeSettings().config().mcSamples()).isEqualTo(8);
    assertThat(defaults.scoreTarget()).isEqualTo(VaeConfig.ScoreTarget.LAST_RECORD);
    assertThat(parse("--vae-score-target", "window", "--vae-ensemble", "2").vaeSettings())
        .satisfies(s -> {
          assertThat(s.config().scoreTarget()).isEqualTo(VaeConfig.ScoreTarget.WINDOW);
          assertThat(s.ensemble()).isEqualTo(2);
        });
    assertThatThrownBy(() -> parse("--vae-score-target", "point").vaeSettings())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--vae-score-target: 'point' is not a score target; expected window or"
            + " last-record");
    assertThat(parse("--vae-mc-samples", "1").vaeSettings().config().mcSamples()).isEqualTo(1);
    assertThat(parse().vaeSettings().retrainSteps()).isZero();
    assertThat(parse("--vae-retrain-steps", "50").vaeSettings().retrainSteps()).isEqualTo(50);
    VaeConfig trainers = parse("--vae-hidden", "64,32", "--vae-learning-rate", "0.001")
        .vaeSettings().config();
    assertThat(trainers.hiddenSizes()).containsExactly(64, 32);
    assertThat(trainers.learningRate()).isEqualTo(0.001);
    assertThat(defaults.thresholdQuantile()).isEqualTo(0.995);
    assertThat(parse("--vae-threshold-quantile", "0.99").vaeSettings().config()
        .thresholdQuantile()).isEqualTo(0.99);
  }

  @Test
  void theServicePipelineIsWhatTheScorerRuns() {
    // Since issue #3 session 8 (P10, P14): one centred model of the trainer's window, scored by
    // the scorer's own alert rule, which de-duplicates as the scorer does; the peers keep the
    // evaluation's de-duplication.
    DetectorOptions service = parse();
    VaeDetector.Settings s = service.vaeSettings();
    assertThat(s.config().windowLength()).isEqualTo(32);
    assertThat(s.config().centreWindows()).isTrue();
    assertThat(s.ensemble()).isEqualTo(1);
    assertThat(s.scoreMap()).isEqualTo(VaeDetector.ScoreMap.SCORER_ALERTS);
    assertThat(service.create("vae")).isInstanceOf(VaeDetector.class);
    assertThat(service.create("rcf"))
        .isInstanceOf(dev.streamvae.evaluation.detect.RisingEdge.class);
    assertThat(service.describe(java.util.List.of("vae", "rcf")).toString())
        .contains("pipeline=service").doesNotContain("pairedWith")
        .contains("rcf={shingleSize").contains("risingEdge=");
    assertThat(parse("--pipeline", "SERVICE").vaeSettings()).isEqualTo(s);
    assertThat(parse("--window", "16").vaeSettings().config().windowLength()).isEqualTo(16);
  }

  @Test
  void theResearchPipelineIsVariantV12() {
    DetectorOptions research = parse("--pipeline", "research");
    VaeDetector.Settings s = research.vaeSettings();
    assertThat(s.config().windowLength()).isEqualTo(16);
    assertThat(s.ensemble()).isEqualTo(3);
    assertThat(s.scoreMap()).isEqualTo(VaeDetector.ScoreMap.RECENT);
    assertThat(research.create("vae"))
        .isInstanceOf(dev.streamvae.evaluation.detect.RisingEdge.class);
    assertThat(research.describe(java.util.List.of("vae"))).extractingByKey("vae").asString()
        .contains("ensemble=3").contains("scoreTarget=last-record")
        .contains("pairedWith=the same VAE on raw windows");
    assertThat(parse("--pipeline", "research", "--no-vae-centre")
        .describe(java.util.List.of("vae"))).extractingByKey("vae").asString()
        .contains("pairedWith=the same VAE on centred");
    assertThat(parse("--pipeline", "research", "--no-vae-levels-too")
        .describe(java.util.List.of("vae"))).extractingByKey("vae").asString()
        .doesNotContain("pairedWith");
    assertThatThrownBy(() -> parse("--pipeline", "best"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("expected service or research");
  }

  @Test
  void badValuesAreRejectedByName() {
    assertThatThrownBy(() -> parse("--vae-mc-samples", "0").vaeSettings())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mcSamples");
    assertThatThrownBy(() -> parse("--vae-architecture", "lstm").vaeSettings())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dense or conv1d");
  }

  @Test
  void aConditionalVaeReadsTheSeriesTimestamps() {
    double[] v = new double[400];
    long[] ts = new long[v.length];
    java.util.Random r = new java.util.Random(1);
    for (int t = 0; t < v.length; t++) {
      v[t] = Math.sin(t / 6.0) + 0.1 * r.nextGaussian();
      ts[t] = 1_700_000_000_000L + t * 3_600_000L;
    }
    VaeDetector detector = new VaeDetector(new VaeDetector.Settings(VaeConfig.builder()
        .windowLength(8).hiddenSizes(8).latentDim(2).mcSamples(2).seed(3)
        .conditioning(VaeConfig.Conditioning.TIME_OF_WEEK).build(), 30, 0, 5000,
        VaeDetector.ScoreMap.TRAINING));
    double[] at = detector.detect(Series.univariate("s", v, 150, ts));
    long[] later = Arrays.stream(ts).map(t -> t + 5 * 3_600_000L).toArray();
    double[] shifted = detector.detect(Series.univariate("s", v, 150, later));
    assertThat(shifted).isNotEqualTo(at);
    assertThatThrownBy(() -> detector.detect(Series.univariate("s", v, 150)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamps");
  }
}
