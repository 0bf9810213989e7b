package dev.streamvae.scorer.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamvae.vae.ScoreSurprise;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesWindowTest {

  @Test
  void keepsTheLastCapacityRowsInOrderAcrossTheRing() {
    SeriesWindow w = new SeriesWindow(List.of("a", "b"), 3);
    for (int i = 0; i < 5; i++) {
      w.append(i, new float[] {i, 10 + i});
    }
    assertThat(w.filled()).isEqualTo(3);
    assertThat(w.snapshot()).containsExactly(2, 12, 3, 13, 4, 14);
    assertThat(w.lastTimestamp()).isEqualTo(4);
  }

  @Test
  void roundTripsThroughBytes() {
    SeriesWindow w = new SeriesWindow(List.of("cpu", "mem"), 4);
    w.append(1, new float[] {1, 2});
    w.append(2, new float[] {3, 4});
    SeriesWindow copy = SeriesWindow.decode(w.encode());
    assertThat(copy).isEqualTo(w);
    copy.append(3, new float[] {5, 6});
    assertThat(copy.snapshot()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void theAlertRuleKeepsTheNewestScoresAndTheyRoundTripThroughBytes() {
    SeriesWindow w = new SeriesWindow(List.of("cpu"), 4);
    assertThat(w.risesAboveRecent(5, 3)).as("nothing held yet").isTrue();
    assertThat(w.risesAboveRecent(4, 3)).isFalse();
    assertThat(w.risesAboveRecent(5, 3)).as("equal is not above").isFalse();
    assertThat(w.risesAboveRecent(1, 3)).isFalse();
    // At most three held: 4, 5, 1 before the 2, then 5, 1, 2; the 3 below pushes the 5 out.
    assertThat(w.risesAboveRecent(2, 3)).isFalse();
    assertThat(w.recentScores()).containsExactly(5, 1, 2);
    assertThat(w.risesAboveRecent(3, 3)).isFalse();
    assertThat(w.risesAboveRecent(3.5, 3)).isTrue();
    SeriesWindow copy = SeriesWindow.decode(w.encode());
    assertThat(copy).isEqualTo(w);
    assertThat(copy.recentScores()).containsExactly(2, 3, 3.5);
    // A shorter look-back compares with, and keeps, only the newest scores that fit.
    assertThat(copy.risesAboveRecent(3.4, 2)).isFalse();
    assertThat(copy.recentScores()).containsExactly(3.5, 3.4);
    assertThat(copy.risesAboveRecent(3.45, 1)).as("only the 3.4 is compared").isTrue();
    assertThat(copy.recentScores()).containsExactly(3.45);
    // 0 keeps none, and every score rises.
    assertThat(copy.risesAboveRecent(-1, 0)).isTrue();
    assertThat(copy.risesAboveRecent(-2, 0)).isTrue();
    assertThat(copy.recentScores()).isEmpty();
  }

  @Test
  void aFormatOneWindowDecodesWithNoScores() {
    SeriesWindow w = new SeriesWindow(List.of("cpu", "mem"), 2);
    w.append(1, new float[] {1, 2});
    byte[] current = w.encode();
    // Format 1 is format 3 without the trailing score count and model length (neither held).
    byte[] legacy = java.util.Arrays.copyOf(current, current.length - 8);
    legacy[0] = 1;
    SeriesWindow old = SeriesWindow.decode(legacy);
    assertThat(old).isEqualTo(w);
    assertThat(old.recentScores()).isEmpty();
    legacy[0] = 9;
    assertThatThrownBy(() -> SeriesWindow.decode(legacy))
        .hasMessageContaining("unknown window state format 9");
  }

  @Test
  void aFormatTwoWindowKeepsItsScoresAndStartsItsSurpriseFromTheModelsBaseline() {
    SeriesWindow w = new SeriesWindow(List.of("cpu"), 4);
    w.append(1, new float[] {1});
    w.risesAboveRecent(3.0, 4);
    w.risesAboveRecent(2.0, 4);
    byte[] current = w.encode();
    // Format 2 is format 3 without the trailing model length (no surprise held here).
    byte[] legacy = java.util.Arrays.copyOf(current, current.length - 4);
    legacy[0] = 2;
    SeriesWindow old = SeriesWindow.decode(legacy);
    assertThat(old).isEqualTo(w);
    assertThat(old.recentScores()).containsExactly(3.0, 2.0);
    ScoreSurprise baseline = baseline(-1, 0.25);
    assertThat(old.surprise("m@1", baseline, 1.0)).isEqualTo(baseline.of(1.0));
  }

  @Test
  void theSurpriseFollowsTheSeriesUnderOneModelAndStartsAgainUnderAnother() {
    SeriesWindow w = new SeriesWindow(List.of("cpu"), 4);
    ScoreSurprise v1 = baseline(-1, 0.25);
    ScoreSurprise v2 = baseline(3, 1);
    double first = w.surprise("m@1", v1, 0.0);
    assertThat(first).as("four sds above the baseline's mean").isEqualTo(v1.of(0.0))
        .isCloseTo(0.5 * (1 + 4.0 / 5), within(1e-9));
    // The same score again is less surprising: the series' own past now holds it.
    assertThat(w.surprise("m@1", v1, 0.0)).isEqualTo(v1.add(0.0).of(0.0)).isLessThan(first);
    SeriesWindow copy = SeriesWindow.decode(w.encode());
    assertThat(copy).as("the moments survive a round trip").isEqualTo(w);
    assertThat(copy.surprise("m@1", v1, 0.0)).isEqualTo(w.surprise("m@1", v1, 0.0));
    // A new version's scores are on another scale: its own baseline, not the old moments.
    assertThat(w.surprise("m@2", v2, 0.0)).isEqualTo(v2.of(0.0)).isLessThan(0.5);
    assertThat(w.surprise("other@1", v1, 0.0)).as("another model, as after a re-route")
        .isEqualTo(v1.of(0.0));
  }

  /** A baseline of 200 arguments alternating mean - sd and mean + sd. */
  private static ScoreSurprise baseline(double mean, double sd) {
    ScoreSurprise b = ScoreSurprise.EMPTY;
    for (int i = 0; i < 200; i++) {
      b = b.add(i % 2 == 0 ? mean - sd : mean + sd);
    }
    return b;
  }

  @Test
  void pendingRecordsRoundTripThroughBytesHoldingOnlyTheirOwnRow() {
    PendingRecord p = new PendingRecord(7, "series-1", 42, 43, List.of("x", "y"),
        new float[] {1, 2});
    byte[] bytes = p.encode();
    PendingRecord copy = PendingRecord.decode(bytes, -1);
    assertThat(copy.sequence()).isEqualTo(7);
    assertThat(copy.series()).isEqualTo("series-1");
    assertThat(copy.timestamp()).isEqualTo(42);
    assertThat(copy.recordTimestamp()).isEqualTo(43);
    assertThat(copy.features()).containsExactly("x", "y");
    assertThat(copy.row()).containsExactly(1, 2);
    assertThat(copy.legacyWindow()).isNull();
    assertThat(bytes.length).as("no window copy").isLessThan(64);
  }

  @Test
  void aFormatOnePendingRecordDecodesWithItsWindow() {
    byte[] legacy = PendingStateTest.formatOneEntry("series-1", 42, 43, List.of("x"),
        new float[] {1, 2, 3});
    PendingRecord copy = PendingRecord.decode(legacy, 5);
    assertThat(copy.sequence()).isEqualTo(5);
    assertThat(copy.row()).containsExactly(3);
    assertThat(copy.legacyWindow()).containsExactly(1, 2, 3);
  }

  @Test
  void copiesTheNewestRowsOfChosenColumnsAcrossTheRing() {
    SeriesWindow w = new SeriesWindow(List.of("a", "b", "c"), 3);
    for (int i = 0; i < 5; i++) {
      w.append(i, new float[] {i, 10 + i, 20 + i});
    }
    float[] out = new float[4];
    w.copyLast(2, new int[] {2, 0}, out);
    assertThat(out).containsExactly(23, 3, 24, 4);
  }
}
