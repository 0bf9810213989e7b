package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ScoreSurpriseTest {

  @Test
  void theFirstHorizonOfArgumentsGivesTheirExactMeanAndPopulationVariance() {
    Random random = new Random(3);
    double[] xs = new double[ScoreSurprise.HORIZON];
    ScoreSurprise state = ScoreSurprise.EMPTY;
    for (int i = 0; i < xs.length; i++) {
      xs[i] = 2 + 3 * random.nextGaussian();
      state = state.add(xs[i]);
      if (i == 9 || i == xs.length - 1) {
        int n = i + 1;
        double mean = 0;
        for (int k = 0; k < n; k++) {
          mean += xs[k] / n;
        }
        double variance = 0;
        for (int k = 0; k < n; k++) {
          variance += (xs[k] - mean) * (xs[k] - mean) / n;
        }
        assertThat(state.count()).isEqualTo(n);
        assertThat(state.mean()).isCloseTo(mean, within(1e-9));
        assertThat(state.variance()).isCloseTo(variance, within(1e-9));
      }
    }
  }

  @Test
  void afterTheHorizonThePastFadesSoAChangedSeriesBecomesTheNewNormal() {
    Random random = new Random(5);
    ScoreSurprise state = ScoreSurprise.EMPTY;
    for (int i = 0; i < 20_000; i++) {
      state = state.add(random.nextGaussian());
    }
    double shifted = 6;
    double firstSurprise = state.of(shifted + random.nextGaussian() * 0.1);
    for (int i = 0; i < 5 * ScoreSurprise.HORIZON; i++) {
      state = state.add(shifted + random.nextGaussian());
    }
    assertThat(firstSurprise).as("a shift of six sds, at first").isGreaterThan(0.8);
    // A running mean over all 63,200 arguments would still sit near 4.1; the weighted one has
    // forgotten the first 20,000.
    assertThat(state.mean()).isCloseTo(shifted, within(0.1));
    assertThat(state.of(shifted)).as("the new level, later").isCloseTo(0.5, within(0.05));
  }

  @Test
  void surpriseIsHalfWithoutEnoughPastAndGrowsWithTheDistanceAboveThePast() {
    ScoreSurprise state = ScoreSurprise.EMPTY;
    Random random = new Random(7);
    for (int i = 0; i < ScoreSurprise.MIN_HISTORY - 1; i++) {
      state = state.add(random.nextGaussian());
    }
    assertThat(state.of(50)).as("no opinion before the minimum history").isEqualTo(0.5);
    state = state.add(random.nextGaussian());
    assertThat(state.of(state.mean())).isCloseTo(0.5, within(1e-12));
    double previous = 0;
    for (double x = -10; x <= 10; x += 0.5) {
      double s = state.of(x);
      assertThat(s).isBetween(0.0, 1.0).isGreaterThan(previous);
      previous = s;
    }
    double sd = Math.sqrt(state.variance());
    assertThat(state.of(state.mean() + 10 * sd)).isCloseTo(0.5 * (1 + 10.0 / 11), within(1e-9));
  }

  @Test
  void aFlatPastIsMeasuredAgainstTheSigmaFloorNotAgainstFloatNoise() {
    ScoreSurprise state = ScoreSurprise.EMPTY;
    for (int i = 0; i < 500; i++) {
      state = state.add(-1.0);
    }
    assertThat(state.variance()).isLessThan(1e-20);
    // d = 0.05 / MIN_SIGMA = 1: (1 + 1/2) / 2.
    assertThat(state.of(-1.0 + ScoreSurprise.MIN_SIGMA)).isCloseTo(0.75, within(1e-9));
    assertThat(state.of(-1.0 + 1e-12)).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void nonFiniteArgumentsChangeNothingAndAnInfiniteScoreIsAsSurprisingAsItGets() {
    ScoreSurprise state = ScoreSurprise.baseline(new double[] {1, 2, 3}, 2, 1);
    assertThat(state.add(Double.NaN)).isEqualTo(state);
    assertThat(state.add(Double.POSITIVE_INFINITY)).isEqualTo(state);
    ScoreSurprise longPast = state;
    for (int i = 0; i < ScoreSurprise.MIN_HISTORY; i++) {
      longPast = longPast.add(i % 2);
    }
    assertThat(longPast.of(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    assertThat(longPast.of(Double.NaN)).isEqualTo(0.5);
    assertThat(ScoreSurprise.argument(Double.POSITIVE_INFINITY, 2, 1)).isInfinite();
    assertThatThrownBy(() -> new ScoreSurprise(3, 0, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theArgumentIsZeroAtTheThresholdOddAndLogarithmicFarAway() {
    assertThat(ScoreSurprise.argument(7, 7, 2)).isEqualTo(0.0);
    double asinhOne = Math.log(1 + Math.sqrt(2));
    assertThat(ScoreSurprise.argument(9, 7, 2)).isCloseTo(asinhOne, within(1e-12));
    assertThat(ScoreSurprise.argument(5, 7, 2)).isCloseTo(-asinhOne, within(1e-12));
    assertThat(ScoreSurprise.argument(7 + 2e12, 7, 2)).isCloseTo(Math.log(2e12), within(1e-6));
  }

  @Test
  void theScaleIsTheThresholdsDistanceFromTheMedianWithAFloor() {
    assertThat(ScoreSurprise.scale(new double[] {4, 1, Double.NaN, 2, 3}, 10))
        .as("median 2.5 of the finite four").isEqualTo(7.5);
    assertThat(ScoreSurprise.scale(new double[] {500, 500, 500}, 500)).isEqualTo(0.5);
    assertThatThrownBy(() -> ScoreSurprise.scale(new double[] {Double.NaN}, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theBaselineIsTheTrainingScoresArgumentsInOrder() {
    double[] training = {3, Double.NaN, 5, 4, 9};
    ScoreSurprise expected = ScoreSurprise.EMPTY;
    for (double s : training) {
      expected = expected.add(ScoreSurprise.argument(s, 6, 2));
    }
    ScoreSurprise baseline = ScoreSurprise.baseline(training, 6, 2);
    assertThat(baseline).isEqualTo(expected);
    assertThat(baseline.count()).as("the unscorable window left out").isEqualTo(4);
  }
}
