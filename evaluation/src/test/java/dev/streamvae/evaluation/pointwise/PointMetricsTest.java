package dev.streamvae.evaluation.pointwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PointMetricsTest {

  @Test
  void bestF1AndAveragePrecisionByHand() {
    // Scores 0.9 0.8 0.7 0.6 0.5, labels 1 0 1 0 0 (2 positives). Thresholds, highest first:
    //   0.9: tp 1 fp 0 -> P 1,    R 0.5 -> F1 0.667
    //   0.8: tp 1 fp 1 -> P 0.5,  R 0.5 -> F1 0.5
    //   0.7: tp 2 fp 1 -> P 0.667, R 1  -> F1 0.8   <- best
    //   0.6: tp 2 fp 2 -> P 0.5,  R 1   -> F1 0.667
    //   0.5: tp 2 fp 3 -> P 0.4,  R 1   -> F1 0.571
    // AP = (0.5 - 0) * 1 + (1 - 0.5) * 0.667 = 0.8333 (recall steps at 0.9 and 0.7 only).
    double[] s = {0.9, 0.8, 0.7, 0.6, 0.5};
    boolean[] l = {true, false, true, false, false};
    PointMetrics.BestF1 best = PointMetrics.bestF1(s, l);
    assertThat(best.f1()).isCloseTo(0.8, within(1e-12));
    assertThat(best.precision()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(best.recall()).isEqualTo(1.0);
    assertThat(best.threshold()).isEqualTo(0.7);
    assertThat(PointMetrics.averagePrecision(s, l)).isCloseTo(0.5 + 0.5 * 2 / 3.0,
        within(1e-12));
  }

  @Test
  void tiedScoresAreOneThreshold() {
    // All tied: one threshold, everything detected: P 2/4, R 1, F1 0.667, AP 0.5.
    double[] s = {0.3, 0.3, 0.3, 0.3};
    boolean[] l = {true, false, true, false};
    assertThat(PointMetrics.bestF1(s, l).f1()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(PointMetrics.averagePrecision(s, l)).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void pointAdjustmentFlattersADetectorThatHitsOneRecordOfASegment() {
    // Labels 0 1 1 1 0, scores 0.1 0.2 0.9 0.1 0.3.
    // Unadjusted best F1: at 0.9 P 1 R 1/3 F1 0.5; at 0.3 P 0.5 R 1/3 F1 0.4;
    //   at 0.2 P 2/3 R 2/3 F1 0.667; at 0.1 P 3/5 R 1 F1 0.75 <- best.
    // Adjusted: the segment takes its max 0.9 -> 0.1 0.9 0.9 0.9 0.3: at 0.9 P 1 R 1 -> F1 1.
    double[] s = {0.1, 0.2, 0.9, 0.1, 0.3};
    boolean[] l = {false, true, true, true, false};
    assertThat(PointMetrics.bestF1(s, l).f1()).isCloseTo(0.75, within(1e-12));
    double[] adjusted = PointMetrics.pointAdjust(s, l);
    assertThat(adjusted).containsExactly(0.1, 0.9, 0.9, 0.9, 0.3);
    assertThat(PointMetrics.bestF1(adjusted, l).f1()).isEqualTo(1.0);
  }

  @Test
  void noPositivesMeansUndefined() {
    PointMetrics.BestF1 best = PointMetrics.bestF1(new double[] {0.5, 0.1},
        new boolean[] {false, false});
    assertThat(best.positives()).isZero();
    assertThat(best.precision()).isNaN();
    assertThat(PointMetrics.averagePrecision(new double[] {0.5}, new boolean[] {false}))
        .isNaN();
  }
}
