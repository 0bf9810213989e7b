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
    assertThat(defaults.mcSamples()).isEqualTo(8);
    // V12 (issue #3 session 5): three seeds per VAE, each record scored on its own value.
    assertThat(defaults.scoreTarget()).isEqualTo(VaeConfig.ScoreTarget.LAST_RECORD);
    assertThat(parse().vaeSettings().ensemble()).isEqualTo(3);
    assertThat(parse("--vae-score-target", "window", "--vae-ensemble", "1").vaeSettings())
        .satisfies(s -> {
          assertThat(s.config().scoreTarget()).isEqualTo(VaeConfig.ScoreTarget.WINDOW);
          assertThat(s.ensemble()).isEqualTo(1);
        });
    assertThat(parse().describe(java.util.List.of("vae"))).extractingByKey("vae").asString()
        .contains("ensemble=3").contains("scoreTarget=last-record");
    assertThatThrownBy(() -> parse("--vae-score-target", "point").vaeSettings())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--vae-score-target: 'point' is not a score target; expected window or"
            + " last-record");
    assertThat(parse("--vae-mc-samples", "1").vaeSettings().config().mcSamples()).isEqualTo(1);
    assertThat(parse().vaeSettings().retrainSteps()).isZero();
    assertThat(parse("--vae-retrain-steps", "50").vaeSettings().retrainSteps()).isEqualTo(50);
    assertThat(parse().create("vae"))
        .isInstanceOf(dev.streamvae.evaluation.detect.RisingEdge.class);
    assertThat(parse().describe(java.util.List.of("vae")))
        .extractingByKey("vae").asString().contains("pairedWith=the same VAE on raw windows");
    assertThat(parse("--no-vae-centre").describe(java.util.List.of("vae")))
        .extractingByKey("vae").asString().contains("pairedWith=the same VAE on centred");
    assertThat(parse("--no-vae-levels-too").describe(java.util.List.of("vae")))
        .extractingByKey("vae").asString().doesNotContain("pairedWith");
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
