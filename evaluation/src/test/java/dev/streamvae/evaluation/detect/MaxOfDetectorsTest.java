package dev.streamvae.evaluation.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MaxOfDetectorsTest {

  private static Detector fixed(double... scores) {
    return new Detector() {
      @Override
      public String name() {
        return "fixed";
      }

      @Override
      public double[] detect(Series series) {
        return scores.clone();
      }
    };
  }

  @Test
  void eachRecordScoresTheLargestOfThePartsScores() {
    Detector pair = new MaxOfDetectors("vae", List.of(fixed(0.1, 0.9, 0.3, 0.0),
        fixed(0.5, 0.2, 0.3, 0.7)));
    assertThat(pair.name()).isEqualTo("vae");
    assertThat(pair.detect(Series.univariate("s", new double[4], 1)))
        .containsExactly(0.5, 0.9, 0.3, 0.7);
  }

  @Test
  void needsAtLeastOnePart() {
    assertThatThrownBy(() -> new MaxOfDetectors("vae", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
