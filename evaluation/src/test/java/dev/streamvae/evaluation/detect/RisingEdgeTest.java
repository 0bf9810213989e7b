package dev.streamvae.evaluation.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RisingEdgeTest {

  @Test
  void aPlateauAlertsOnceAndAGrowingOneAgain() {
    double[] scores = {0.5, 0.5, 0.9, 0.9, 0.9, 0.95, 0.9, 0.5, 0.5, 0.5, 0.5, 0.9};
    double[] out = RisingEdge.apply(scores, 3);
    // The first 0.9 rises above the quiet past; the next two do not; 0.95 grows, so it alerts.
    assertThat(out[2]).isEqualTo(0.9);
    assertThat(out[3]).isEqualTo(0.45);
    assertThat(out[4]).isEqualTo(0.45);
    assertThat(out[5]).isEqualTo(0.95);
    assertThat(out[6]).isEqualTo(0.45);
    // Three quiet records later the same level is news again.
    assertThat(out[11]).isEqualTo(0.9);
  }

  @Test
  void keepsTheFirstCrossingOfEveryThresholdAfterKQuietRecords() {
    Random random = new Random(7);
    double[] scores = new double[5000];
    for (int t = 0; t < scores.length; t++) {
      scores[t] = random.nextDouble() < 0.02 ? 0.6 + 0.4 * random.nextDouble()
          : 0.5 * random.nextDouble();
    }
    int k = 16;
    double[] out = RisingEdge.apply(scores, k);
    for (double threshold = 0.55; threshold < 1; threshold += 0.05) {
      for (int t = 0; t < scores.length; t++) {
        boolean quietBefore = true;
        for (int j = Math.max(0, t - k); j < t; j++) {
          quietBefore &= scores[j] < threshold;
        }
        if (scores[t] >= threshold && quietBefore) {
          assertThat(out[t]).as("t=%d threshold=%.2f", t, threshold).isEqualTo(scores[t]);
        }
      }
    }
  }

  @Test
  void agreesWithTheDefinitionOnRandomScores() {
    Random random = new Random(3);
    double[] scores = new double[3000];
    for (int t = 0; t < scores.length; t++) {
      scores[t] = Math.floor(random.nextDouble() * 20) / 20; // ties included
    }
    for (int k : new int[] {1, 5, 40}) {
      double[] out = RisingEdge.apply(scores, k);
      for (int t = 0; t < scores.length; t++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = Math.max(0, t - k); j < t; j++) {
          max = Math.max(max, scores[j]);
        }
        double expected = scores[t] > max ? scores[t] : scores[t] * 0.5;
        assertThat(out[t]).as("k=%d t=%d", k, t).isEqualTo(expected);
      }
    }
  }

  @Test
  void keepsTheInnerDetectorsNameAndRefusesANonPositiveLookBack() {
    Detector inner = new NullDetector();
    assertThat(new RisingEdge(inner, 4).name()).isEqualTo(inner.name());
    assertThatThrownBy(() -> new RisingEdge(inner, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
