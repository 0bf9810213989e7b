package dev.streamvae.evaluation.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamvae.vae.VaeConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DetectorsTest {

  /** A noisy daily-like sine of 600 records with one spike at record 450. */
  private static double[] series() {
    java.util.Random r = new java.util.Random(7);
    double[] v = new double[600];
    for (int t = 0; t < v.length; t++) {
      v[t] = 10 + 3 * Math.sin(2 * Math.PI * t / 48.0) + 0.2 * r.nextGaussian();
    }
    v[450] += 8;
    return v;
  }

  private static int argMax(double[] s) {
    int best = 0;
    for (int i = 1; i < s.length; i++) {
      if (s[i] > s[best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void nullDetectorScoresZero() {
    assertThat(new NullDetector().detect(Series.univariate("s", series(), 90)))
        .containsOnly(0.0).hasSize(600);
  }

  @Test
  void calibrationIsMonotonePutsTheThresholdAtOneHalfAndDoesNotSaturate() {
    // Training scores 1..9: median 5; threshold 9 -> scale 4.
    ScoreCalibration c = ScoreCalibration.fit(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 9);
    assertThat(c.median()).isEqualTo(5);
    assertThat(c.scale()).isEqualTo(4);
    assertThat(c.apply(9)).isEqualTo(0.5);
    // s = 13: z = 1, asinh(1) = 0.88137, sigmoid = 0.70711 (= 1/sqrt(2)).
    assertThat(c.apply(13)).isCloseTo(Math.sqrt(0.5), within(1e-12));
    double previous = -1;
    for (double s = -1e6; s <= 1e7; s = s < 0 ? s / 2 + 1 : s * 2 + 1) {
      double p = c.apply(s);
      assertThat(p).isBetween(0.0, 1.0).isGreaterThan(previous);
      previous = p;
    }
    // A million spreads beyond the threshold is still below 1, and distinct from two million.
    assertThat(c.apply(9 + 4e6)).isLessThan(1.0).isLessThan(c.apply(9 + 8e6));
    assertThat(c.apply(Double.NaN)).isZero();
    // A flat training period: no spread, floored at 1e-3 * max(1, |median|).
    assertThat(ScoreCalibration.fit(new double[] {-20, -20, -20}, -20).scale())
        .isCloseTo(0.02, within(1e-15));
  }

  @Test
  void rcfFindsTheSpikeIsSeededAndCausal() {
    double[] v = series();
    RcfDetector rcf = new RcfDetector(new RcfDetector.Settings(8, 30, 128, 42));
    double[] s = rcf.detect(Series.univariate("s", v, 90));
    assertThat(s).hasSize(600);
    assertThat(Arrays.stream(s).allMatch(x -> x >= 0 && x <= 1)).isTrue();
    // The forest answers 0 until it holds sampleSize / 4 = 32 points.
    assertThat(Arrays.copyOfRange(s, 0, 20)).containsOnly(0.0);
    assertThat(argMax(s)).isEqualTo(450);
    assertThat(rcf.detect(Series.univariate("s", v, 90))).containsExactly(s);
    // Changing the future does not change the past.
    double[] changed = v.clone();
    changed[500] += 100;
    assertThat(Arrays.copyOf(rcf.detect(Series.univariate("s", changed, 90)), 500))
        .containsExactly(Arrays.copyOf(s, 500));
  }

  @Test
  void vaeTrainsOnTheProbationaryPeriodAndFindsTheSpike() {
    double[] v = series();
    // Raw windows: with centred ones the spike also moves the centre of the 15 windows after it,
    // whose last records then score a little high (the alert rule's look-back drops those).
    VaeDetector.Settings settings = new VaeDetector.Settings(VaeConfig.builder()
        .scoreTarget(VaeConfig.ScoreTarget.WINDOW).windowLength(16).hiddenSizes(16, 8).latentDim(2)
        .learningRate(3e-3).batchSize(64).epochs(1).mcSamples(4).seed(42).centreWindows(false)
        .build(), 50, 0, 5000,
        VaeDetector.ScoreMap.TRAINING);
    VaeDetector vae = new VaeDetector(settings);
    double[] s = vae.detect(Series.univariate("s", v, 200));
    assertThat(s).hasSize(600);
    // Nothing is claimed for the training period.
    assertThat(Arrays.copyOf(s, 200)).containsOnly(0.0);
    assertThat(Arrays.stream(s).allMatch(x -> x >= 0 && x <= 1)).isTrue();
    // Every window holding the spike (ending at 450..465) scores above the model's threshold.
    for (int t = 450; t < 466; t++) {
      assertThat(s[t]).as("record %d", t).isGreaterThan(0.5);
    }
    assertThat(argMax(s)).isBetween(450, 465);
    // Seeded: the same again. Causal: a change at 500 leaves every earlier score alone.
    double[] changed = v.clone();
    changed[500] += 100;
    double[] again = vae.detect(Series.univariate("s", changed, 200));
    assertThat(Arrays.copyOf(again, 500)).containsExactly(Arrays.copyOf(s, 500));
    // Scoring the last record instead: the spike's own record is the most anomalous, and the
    // records after it, which hold the spike only as context, are not flagged for it.
    VaeDetector last = new VaeDetector(new VaeDetector.Settings(settings.config().toBuilder()
        .scoreTarget(VaeConfig.ScoreTarget.LAST_RECORD).build(), 50, 0, 5000,
        VaeDetector.ScoreMap.TRAINING));
    double[] l = last.detect(Series.univariate("s", v, 200));
    assertThat(argMax(l)).isEqualTo(450);
    assertThat(l[450]).isGreaterThan(0.5);
    for (int t = 452; t < 466; t++) {
      assertThat(l[t]).as("record %d", t).isLessThan(0.5);
    }
  }

  @Test
  void theDefaultVaeFollowsALevelShiftAndStillFindsTheSpike() {
    double[] v = series();
    // The level moves up by 20 (about 9 of the series' standard deviations) at record 300 and
    // stays there: news at the shift, the new normal soon after.
    for (int t = 300; t < v.length; t++) {
      v[t] += 20;
    }
    VaeDetector.Settings defaults = VaeDetector.Settings.defaults();
    assertThat(defaults.scoreMap()).isEqualTo(VaeDetector.ScoreMap.RECENT);
    assertThat(defaults.config().centreWindows()).isTrue();
    VaeDetector vae = new VaeDetector(new VaeDetector.Settings(defaults.config().toBuilder()
        .hiddenSizes(16, 8).latentDim(2).mcSamples(4).build(), 100, 0, 5000,
        VaeDetector.ScoreMap.RECENT));
    double[] s = vae.detect(Series.univariate("s", v, 200));
    assertThat(Arrays.stream(s).allMatch(x -> x >= 0 && x <= 1)).isTrue();
    double shift = Arrays.stream(s, 300, 316).max().orElseThrow();
    double spike = Arrays.stream(s, 450, 466).max().orElseThrow();
    double settled = Arrays.stream(s, 350, 440).max().orElseThrow();
    assertThat(shift).isGreaterThan(settled);
    assertThat(spike).isGreaterThan(settled);
    // Without centring and with the training-time map, everything after the shift is extreme.
    VaeDetector levels = new VaeDetector(new VaeDetector.Settings(defaults.config().toBuilder()
        .hiddenSizes(16, 8).latentDim(2).mcSamples(4).centreWindows(false).build(), 100, 0,
        5000, VaeDetector.ScoreMap.TRAINING));
    double[] l = levels.detect(Series.univariate("s", v, 200));
    assertThat(Arrays.stream(l, 350, 440).min().orElseThrow()).isGreaterThan(0.99);
  }

  @Test
  void fineTunedRetrainingLearnsTheNewLevelOfAnUncentredModel() {
    double[] v = series();
    for (int t = 300; t < v.length; t++) {
      v[t] += 20;
    }
    VaeConfig uncentred = VaeDetector.Settings.defaults().config().toBuilder()
        .hiddenSizes(16, 8).latentDim(2).mcSamples(4).centreWindows(false).build();
    // Retrained every 100 records on the last 200, each retraining 60 steps from the previous
    // weights: the one at 400 has seen 100 records of the new level.
    VaeDetector retrained = new VaeDetector(new VaeDetector.Settings(uncentred, 100, 100, 200,
        VaeDetector.ScoreMap.TRAINING, 1, 60));
    double[] s = retrained.detect(Series.univariate("s", v, 200));
    long extreme = Arrays.stream(s, 410, 440).filter(x -> x > 0.99).count();
    assertThat(extreme).as("records 410..439 scored above 0.99").isLessThan(5);
    assertThat(Arrays.stream(s, 450, 466).max().orElseThrow())
        .isGreaterThan(Arrays.stream(s, 410, 440).max().orElseThrow());
  }

  @Test
  void anEnsembleOfSeedsScoresUnlikeEitherMemberAndStillFindsTheSpike() {
    double[] v = series();
    VaeConfig config = VaeConfig.builder().windowLength(16).hiddenSizes(16, 8).latentDim(2)
        .learningRate(3e-3).batchSize(64).epochs(1).mcSamples(4).seed(42).build();
    double[] first = new VaeDetector(new VaeDetector.Settings(config, 50, 0, 5000,
        VaeDetector.ScoreMap.TRAINING, 1, 0, 1)).detect(Series.univariate("s", v, 200));
    double[] second = new VaeDetector(new VaeDetector.Settings(config.toBuilder().seed(43)
        .build(), 50, 0, 5000, VaeDetector.ScoreMap.TRAINING, 1, 0, 1))
        .detect(Series.univariate("s", v, 200));
    VaeDetector pair = new VaeDetector(new VaeDetector.Settings(config, 50, 0, 5000,
        VaeDetector.ScoreMap.TRAINING, 1, 0, 2));
    double[] both = pair.detect(Series.univariate("s", v, 200));
    // A single-member ensemble is the single VAE.
    assertThat(first).containsExactly(new VaeDetector(new VaeDetector.Settings(config, 50, 0,
        5000, VaeDetector.ScoreMap.TRAINING)).detect(Series.univariate("s", v, 200)));
    assertThat(both).isNotEqualTo(first).isNotEqualTo(second);
    assertThat(Arrays.copyOf(both, 200)).containsOnly(0.0);
    assertThat(argMax(both)).isBetween(450, 465);
    assertThat(both).containsExactly(pair.detect(Series.univariate("s", v, 200)));
    assertThatThrownBy(() -> new VaeDetector.Settings(config, 50, 0, 5000,
        VaeDetector.ScoreMap.TRAINING, 1, 0, 0)).hasMessageContaining("ensemble must be >= 1");
  }

  @Test
  void vaeScoresZeroWhenTheTrainingPeriodIsShorterThanAWindow() {
    VaeDetector vae = new VaeDetector(VaeDetector.Settings.defaults());
    assertThat(vae.detect(Series.univariate("s", new double[40], 10))).containsOnly(0.0);
  }
}
