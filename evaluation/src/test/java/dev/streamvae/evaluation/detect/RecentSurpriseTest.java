package dev.streamvae.evaluation.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentSurpriseTest {

  @Test
  void saysNothingUntilItHasAHistoryThenRanksByDeviation() {
    RecentSurprise s = new RecentSurprise(1, 1000, 50, 0.01);
    Random random = new Random(1);
    for (int i = 0; i < 50; i++) {
      assertThat(s.next(random.nextGaussian())).isEqualTo(0.5);
    }
    double ordinary = s.next(random.nextGaussian() * 0.1);
    assertThat(ordinary).isBetween(0.3, 0.7);
    double spike = s.next(6.0);
    assertThat(spike).isGreaterThan(0.8);
    double bigger = s.next(60.0);
    assertThat(bigger).isGreaterThan(spike).isLessThan(1.0);
  }

  @Test
  void averagesTheShortWindowAndAdaptsToANewNormal() {
    RecentSurprise s = new RecentSurprise(5, 200, 20, 0.01);
    Random random = new Random(2);
    for (int i = 0; i < 200; i++) {
      s.next(random.nextGaussian());
    }
    // A single high value is diluted by the 5-record average, and lasts 5 records.
    double first = s.next(10.0);
    assertThat(first).isGreaterThan(0.6);
    // The level moves to 10 for good: surprising at first, ordinary once the history holds it.
    double early = 0;
    for (int i = 0; i < 10; i++) {
      early = Math.max(early, s.next(10 + random.nextGaussian()));
    }
    assertThat(early).isGreaterThan(0.8);
    double late = 0;
    for (int i = 0; i < 400; i++) {
      double out = s.next(10 + random.nextGaussian());
      late += i >= 300 ? out / 100 : 0;
    }
    assertThat(late).isBetween(0.4, 0.6);
  }

  @Test
  void aFlatHistoryUsesTheFloorAndNonFiniteScoresAreSkipped() {
    RecentSurprise s = new RecentSurprise(1, 100, 10, 0.5);
    for (int i = 0; i < 10; i++) {
      s.next(1.0);
    }
    assertThat(s.next(1.0)).isEqualTo(0.5);
    // d = (2 - 1) / 0.5 = 2: (1 + 2 / 3) / 2.
    assertThat(s.next(2.0)).isCloseTo(5.0 / 6, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.next(Double.NaN)).isEqualTo(0.5);
    assertThatThrownBy(() -> new RecentSurprise(0, 100, 10, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
