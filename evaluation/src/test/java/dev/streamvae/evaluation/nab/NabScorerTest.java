package dev.streamvae.evaluation.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDateTime;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Hand-worked NAB scores. Notation: S(y) = 2 sigmoid(-5y) - 1 = tanh(-2.5 y); a detection inside
 * a window is worth S(y) * tpWeight / S(-1), with S(-1) = tanh(2.5) = 0.98661430; outside, S(y) *
 * fpWeight (negative), with y = |lastRecordOfPreviousWindow - i| / (width - 1), or -fpWeight
 * before the first window.
 *
 * <p>Most cases use one file of 40 records (probationary period floor(0.15 * 40) = 6: records
 * 0-5 are not scored) with one window over records 10-19 (width 10).
 */
class NabScorerTest {

  private static final Offset<Double> EPS = within(1e-9);
  private static final LocalDateTime T0 = LocalDateTime.of(2020, 1, 1, 0, 0);

  /** A file of n records one minute apart with windows over the given [first, last] records. */
  private static FileSweep file(String name, double[] scores, int[]... windows) {
    LocalDateTime[] ts = new LocalDateTime[scores.length];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = T0.plusMinutes(i);
    }
    List<AnomalyWindow> ws = java.util.Arrays.stream(windows)
        .map(w -> new AnomalyWindow(ts[w[0]], ts[w[1]])).toList();
    return FileSweep.of(name, ts, scores, ws, FileSweep.probationaryLength(scores.length));
  }

  private static double[] scores(int n, int... detections) {
    double[] s = new double[n];
    for (int i : detections) {
      s[i] = 1.0;
    }
    return s;
  }

  private static double standardAt1(double[] s) {
    return NabScorer.scoreAt(file("f", s, new int[] {10, 19}), NabProfile.STANDARD, 1.0)
        .score();
  }

  @Test
  void probationaryPeriodIsNabsFormula() {
    // min(floor(0.15 n), 0.15 * 5000 = 750)
    assertThat(FileSweep.probationaryLength(40)).isEqualTo(6); // floor(6.0)
    assertThat(FileSweep.probationaryLength(1126)).isEqualTo(168); // floor(168.9)
    assertThat(FileSweep.probationaryLength(4999)).isEqualTo(749); // floor(749.85)
    assertThat(FileSweep.probationaryLength(5000)).isEqualTo(750);
    assertThat(FileSweep.probationaryLength(22695)).isEqualTo(750); // capped, not 3404
  }

  @Test
  void scaledSigmoidMatchesNabsDocumentedValues() {
    // nab/sweeper.py: -1 -> 0.98661, -0.5 -> 0.84828, 0 -> 0, 1 -> -0.98661, > 3 -> -1.
    assertThat(FileSweep.scaledSigmoid(-1.0)).isCloseTo(0.98661, within(1e-5));
    assertThat(FileSweep.scaledSigmoid(-0.5)).isCloseTo(0.84828, within(1e-5));
    assertThat(FileSweep.scaledSigmoid(0.0)).isCloseTo(0.0, EPS);
    assertThat(FileSweep.scaledSigmoid(1.0)).isCloseTo(-0.98661, within(1e-5));
    assertThat(FileSweep.scaledSigmoid(3.0)).isCloseTo(-0.99999939, within(1e-8)); // tanh(-7.5)
    assertThat(FileSweep.scaledSigmoid(3.0001)).isEqualTo(-1.0);
  }

  @Test
  void detectionAtTheVeryBeginningOfAWindowEarnsTheFullTpWeight() {
    // Record 10: y = -(19 - 10 + 1) / 10 = -1, S(-1) / S(-1) * 1.0 = 1.0; no false positive.
    assertThat(standardAt1(scores(40, 10))).isCloseTo(1.0, EPS);
  }

  @Test
  void detectionAtTheEndOfAWindowEarnsLittle() {
    // Record 19: y = -(19 - 19 + 1) / 10 = -0.1, S = tanh(0.25) = 0.24491866,
    // / 0.98661430 = 0.24824155.
    assertThat(standardAt1(scores(40, 19))).isCloseTo(0.24824154977542992, EPS);
  }

  @Test
  void falsePositiveRightAfterAWindowCostsLessThanOneFarAfterIt() {
    // Record 10 detects the window (+1.0) in each case.
    // Record 20: y = |19 - 20| / (10 - 1) = 0.1111, S = tanh(-0.2778) = -0.27084712,
    // * 0.11 = -0.02979318 -> 1.0 - 0.02979318 = 0.97020682.
    assertThat(standardAt1(scores(40, 10, 20))).isCloseTo(1.0 - 0.029793183036839352, EPS);
    // Record 39: y = 20 / 9 = 2.2222, S = tanh(-5.5556) = -0.99997011, * 0.11 = -0.10999671.
    assertThat(standardAt1(scores(40, 10, 39))).isCloseTo(1.0 - 0.1099967120746637, EPS);
    // reward_low_FP_rate doubles the cost: 0.22 * -0.27084712 = -0.05958637.
    assertThat(NabScorer.scoreAt(file("f", scores(40, 10, 20), new int[] {10, 19}),
        NabProfile.REWARD_LOW_FP_RATE, 1.0).score()).isCloseTo(1.0 - 0.059586366073678704, EPS);
  }

  @Test
  void falsePositiveMoreThanThreeWidthsAfterOrBeforeAnyWindowCostsTheFullFpWeight() {
    // 70 records, probation 10. Record 50: y = 31 / 9 = 3.44 > 3 -> S = -1 -> -0.11.
    FileSweep far = file("f", scores(70, 10, 50), new int[] {10, 19});
    assertThat(NabScorer.scoreAt(far, NabProfile.STANDARD, 1.0).score())
        .isCloseTo(1.0 - 0.11, EPS);
    // Record 7 is scorable (>= 6) and precedes every window: NAB scores it -1 * 0.11.
    assertThat(standardAt1(scores(40, 7, 10))).isCloseTo(1.0 - 0.11, EPS);
  }

  @Test
  void twoDetectionsInOneWindowCountOnlyTheEarliest() {
    // Record 12: y = -8/10, S(-0.8) / S(-1) = tanh(2) / tanh(2.5) = 0.97710684.
    // Record 15: y = -5/10, tanh(1.25) / tanh(2.5) = 0.85979257: not added, the window keeps
    // its best (= earliest) detection.
    assertThat(standardAt1(scores(40, 12))).isCloseTo(0.9771068409226045, EPS);
    assertThat(standardAt1(scores(40, 12, 15))).isCloseTo(0.9771068409226045, EPS);
    ThresholdScore counts = NabScorer.scoreAt(file("f", scores(40, 12, 15), new int[] {10, 19}),
        NabProfile.STANDARD, 1.0);
    // Record counts as NAB reports them: 2 detected in-window records, 8 missed ones,
    // 34 scorable records - 10 in the window = 24 true negatives.
    assertThat(counts.tp()).isEqualTo(2);
    assertThat(counts.fn()).isEqualTo(8);
    assertThat(counts.fp()).isZero();
    assertThat(counts.tn()).isEqualTo(24);
    assertThat(counts.total()).isEqualTo(34);
  }

  @Test
  void missedWindowCostsTheFnWeight() {
    FileSweep missed = file("f", scores(40), new int[] {10, 19});
    assertThat(NabScorer.scoreAt(missed, NabProfile.STANDARD, 1.0).score()).isEqualTo(-1.0);
    assertThat(NabScorer.scoreAt(missed, NabProfile.REWARD_LOW_FN_RATE, 1.0).score())
        .isEqualTo(-2.0);
  }

  @Test
  void probationaryRecordsAndWindowsInsideThemAreNotScored() {
    // 40 records, probation 6: a window over records 1-3 lies wholly inside it: neither a miss
    // nor a hit; a detection at record 2 or 4 is not scored either (records 4, 5 are still
    // probationary). Only the window 10-19 (missed) counts: -1.
    FileSweep f = file("f", scores(40, 2, 4), new int[] {1, 3}, new int[] {10, 19});
    assertThat(f.scorableWindowCount()).isEqualTo(1);
    assertThat(NabScorer.scoreAt(f, NabProfile.STANDARD, 1.0).score()).isEqualTo(-1.0);
  }

  @Test
  void sweepListsEveryDistinctScoreAndPicksTheBestThreshold() {
    // Record 12 at 0.9 (in the window, +0.97710684); record 25 at 0.8 (y = 6/9, S * 0.11 =
    // -0.10242206); record 30 at 0.3 (y = 11/9, -0.10951310); all others 0.
    double[] s = new double[40];
    s[12] = 0.9;
    s[25] = 0.8;
    s[30] = 0.3;
    FileSweep f = file("f", s, new int[] {10, 19});
    List<ThresholdScore> sweep = NabScorer.scoresByThreshold(List.of(f), NabProfile.STANDARD);
    assertThat(sweep).extracting(ThresholdScore::threshold)
        .containsExactly(1.1, 0.9, 0.8, 0.3, 0.0);
    assertThat(sweep.get(0).score()).isEqualTo(-1.0); //            nothing detected
    assertThat(sweep.get(1).score()).isCloseTo(0.9771068409226045, EPS); // -1 -> +0.97711
    assertThat(sweep.get(2).score()).isCloseTo(0.8746847839691709, EPS); // - 0.10242
    assertThat(sweep.get(3).score()).isCloseTo(0.7651716826654732, EPS); // - 0.10951
    // At 0: record 10 now detects the window at its start (+1.0), records 6-9 cost 4 * 0.11 and
    // records 20-39 cost sum 0.11 * S(|19 - i| / 9): total -1.41796520.
    assertThat(sweep.get(4).score()).isCloseTo(-1.4179651972645952, EPS);
    ThresholdScore best = NabScorer.optimise(List.of(f), NabProfile.STANDARD);
    assertThat(best.threshold()).isEqualTo(0.9);
    assertThat(best.score()).isCloseTo(0.9771068409226045, EPS);
  }

  @Test
  void theBestThresholdDependsOnTheProfile() {
    // 70 records (probation 10), window 10-19; its start, record 10, scores 0.5 (+1.0 when
    // detected); records 50-59 score 0.8, each more than 3 widths after the window (S = -1).
    double[] s = new double[70];
    s[10] = 0.5;
    for (int i = 50; i < 60; i++) {
      s[i] = 0.8;
    }
    FileSweep f = file("f", s, new int[] {10, 19});
    // standard:           1.1 -> -1;  0.8 -> -1 - 10 * 0.11 = -2.1;  0.5 -> 1 - 1.1 = -0.1
    ThresholdScore standard = NabScorer.optimise(List.of(f), NabProfile.STANDARD);
    assertThat(standard.threshold()).isEqualTo(0.5);
    assertThat(standard.score()).isCloseTo(-0.1, EPS);
    // reward_low_FP_rate: 1.1 -> -1;  0.8 -> -1 - 10 * 0.22 = -3.2;  0.5 -> 1 - 2.2 = -1.2
    ThresholdScore lowFp = NabScorer.optimise(List.of(f), NabProfile.REWARD_LOW_FP_RATE);
    assertThat(lowFp.threshold()).isEqualTo(1.1);
    assertThat(lowFp.score()).isEqualTo(-1.0);
    // reward_low_FN_rate: 1.1 -> -2;  0.8 -> -2 - 1.1 = -3.1;  0.5 -> 1 - 1.1 = -0.1
    ThresholdScore lowFn = NabScorer.optimise(List.of(f), NabProfile.REWARD_LOW_FN_RATE);
    assertThat(lowFn.threshold()).isEqualTo(0.5);
    assertThat(lowFn.score()).isCloseTo(-0.1, EPS);
  }

  @Test
  void oneThresholdIsOptimisedOverAllFilesTogether() {
    // File a: its window start scores 0.6, so 0.6 would be best for a alone. File b: records
    // 50-59 score 0.6 too (10 far false positives) and its window start 0.9.
    // At 0.9: a missed (-1), b hit (+1)                      = 0
    // At 0.6: a hit (+1), b hit (+1) and 10 * -0.11          = 0.9  <- best
    double[] a = new double[70];
    a[10] = 0.6;
    double[] b = new double[70];
    b[10] = 0.9;
    for (int i = 50; i < 60; i++) {
      b[i] = 0.6;
    }
    List<FileSweep> files = List.of(file("a", a, new int[] {10, 19}),
        file("b", b, new int[] {10, 19}));
    ThresholdScore best = NabScorer.optimise(files, NabProfile.STANDARD);
    assertThat(best.threshold()).isEqualTo(0.6);
    assertThat(best.score()).isCloseTo(0.9, EPS);
    // The per-file scores at the corpus threshold add up to the corpus score.
    assertThat(NabScorer.scoreAt(files.get(0), NabProfile.STANDARD, 0.6).score()
        + NabScorer.scoreAt(files.get(1), NabProfile.STANDARD, 0.6).score())
        .isCloseTo(0.9, EPS);
  }

  @Test
  void perfectAndNullDetectorsNormaliseTo100And0() {
    // Two files, three windows. Perfect: 1 at each window's first record, 0 elsewhere -> every
    // window +tpWeight, no false positive: raw = 3 * tpWeight. Null: a constant score, so its
    // only thresholds are "nothing" (raw = -3 * fnWeight) and "everything" (3 windows hit, but
    // 280 + 235 records outside the windows cost about 0.11 each, far worse): -3 * fnWeight.
    // (On tiny files "everything" can win for reward_low_FN_rate; NAB optimises the null
    // detector like any other, and so does nullScore.)
    double[] a = scores(400, 100, 200);
    double[] b = scores(300, 100);
    List<FileSweep> perfect = List.of(file("a", a, new int[] {100, 119}, new int[] {200, 219}),
        file("b", b, new int[] {100, 119}));
    for (NabProfile p : NabProfile.ALL) {
      double raw = NabScorer.optimise(perfect, p).score();
      double nul = NabScorer.nullScore(perfect, p);
      double top = NabScorer.perfectScore(perfect, p);
      assertThat(raw).isCloseTo(3 * p.tpWeight(), EPS);
      assertThat(top).isEqualTo(3 * p.tpWeight());
      assertThat(nul).isEqualTo(-3 * p.fnWeight());
      assertThat(NabScorer.normalise(raw, nul, top)).isCloseTo(100.0, EPS);
      assertThat(NabScorer.normalise(nul, nul, top)).isCloseTo(0.0, EPS);
      // e.g. standard: 100 * (raw - (-3)) / (3 - (-3)); a raw of 0 is 50.
      assertThat(NabScorer.normalise(0, -3, 3)).isCloseTo(50.0, EPS);
    }
  }

  @Test
  void rejectsScoresOutsideTheUnitIntervalAndWindowsOffTheTimeline() {
    assertThatThrownBy(() -> file("f", new double[] {0, 1.5, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in [0, 1]");
    LocalDateTime[] ts = {T0, T0.plusMinutes(1)};
    assertThatThrownBy(() -> FileSweep.of("f", ts, new double[2],
        List.of(new AnomalyWindow(T0, T0.plusSeconds(30))), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not start");
  }
}
