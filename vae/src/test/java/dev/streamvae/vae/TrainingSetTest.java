package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingSetTest {

  private static double[][] ramp(int length, int features) {
    double[][] v = new double[length][features];
    for (int t = 0; t < length; t++) {
      for (int f = 0; f < features; f++) {
        v[t][f] = 10 * t + f;
      }
    }
    return v;
  }

  private static List<Float> firsts(TrainingSet set) {
    return java.util.Arrays.stream(set.windows()).map(w -> w[0]).toList();
  }

  @Test
  void flattensTimeMajor() {
    TrainingSet set = TrainingSet.builder(List.of("a", "b"), 3, 1)
        .addSeries("s", Synthetic.timestamps(3), ramp(3, 2)).build();
    assertThat(set.windowCount()).isEqualTo(1);
    assertThat(set.windows()[0]).containsExactly(0f, 1f, 10f, 11f, 20f, 21f);
  }

  @Test
  void honoursStrideAndCountsWindows() {
    TrainingSet set = TrainingSet.builder(List.of("a"), 4, 3)
        .addSeries("s", Synthetic.timestamps(12), ramp(12, 1)).build();
    // Starts 0, 3, 6; start 9 would need records 9..12.
    assertThat(set.windowCount()).isEqualTo(3);
    assertThat(firsts(set)).containsExactly(0f, 30f, 60f);
    assertThat(set.stride()).isEqualTo(3);
    assertThat(set.windowLength()).isEqualTo(4);
    assertThat(set.dataFrom()).isEqualTo(Synthetic.T0);
    assertThat(set.dataTo()).isEqualTo(Synthetic.T0 + 9 * Synthetic.STEP_MS);
  }

  @Test
  void skipsShortSeriesAndCountsOnlyContributingOnes() {
    TrainingSet set = TrainingSet.builder(List.of("a"), 5, 1)
        .addSeries("short", Synthetic.timestamps(4), ramp(4, 1))
        .addSeries("long", Synthetic.timestamps(6), ramp(6, 1)).build();
    assertThat(set.windowCount()).isEqualTo(2);
    assertThat(set.seriesCount()).isEqualTo(1);
  }

  @Test
  void skipsWindowsWithNonFiniteValues() {
    double[][] v = ramp(10, 2);
    v[5][1] = Double.NaN;
    v[9][0] = Double.POSITIVE_INFINITY;
    TrainingSet set = TrainingSet.builder(List.of("a", "b"), 3, 1)
        .addSeries("s", Synthetic.timestamps(10), v).build();
    // Starts 0..7; those covering record 5 (3, 4, 5) or record 9 (7) are skipped.
    assertThat(firsts(set)).containsExactly(0f, 10f, 20f, 60f);
    assertThat(set.dataTo()).isEqualTo(Synthetic.T0 + 8 * Synthetic.STEP_MS);
  }

  @Test
  void keepsWindowsWithAFewMissingValuesWhenAllowed() {
    double[][] v = ramp(10, 1);
    v[5][0] = Double.NaN;
    v[6][0] = Double.POSITIVE_INFINITY;
    // Windows of 3 starting 0..7: those covering both 5 and 6 (starts 4, 5) have 2 missing.
    TrainingSet one = TrainingSet.builder(List.of("a"), 3, 1).maxMissing(1)
        .addSeries("s", Synthetic.timestamps(10), v).build();
    assertThat(one.windowCount()).isEqualTo(6);
    TrainingSet two = TrainingSet.builder(List.of("a"), 3, 1).maxMissing(2)
        .addSeries("s", Synthetic.timestamps(10), v).build();
    assertThat(two.windowCount()).isEqualTo(8);
    // Missing values are kept as NaN (infinity too), for the trainer to mask.
    assertThat(two.windows()[4]).containsExactly(40f, Float.NaN, Float.NaN);
    TrainingSet none = TrainingSet.builder(List.of("a"), 3, 1)
        .addSeries("s", Synthetic.timestamps(10), v).build();
    assertThat(none.windowCount()).isEqualTo(4);
  }

  @Test
  void timeRangeSpansAllSeries() {
    long[] late = Synthetic.timestamps(5);
    for (int i = 0; i < late.length; i++) {
      late[i] += 1_000_000;
    }
    TrainingSet set = TrainingSet.builder(List.of("a"), 5, 1)
        .addSeries("early", Synthetic.timestamps(5), ramp(5, 1))
        .addSeries("late", late, ramp(5, 1)).build();
    assertThat(set.seriesCount()).isEqualTo(2);
    assertThat(set.dataFrom()).isEqualTo(Synthetic.T0);
    assertThat(set.dataTo()).isEqualTo(late[4]);
  }

  @Test
  void windowsAreDefensiveCopies() {
    TrainingSet set = TrainingSet.builder(List.of("a"), 2, 1)
        .addSeries("s", Synthetic.timestamps(2), ramp(2, 1)).build();
    set.windows()[0][0] = 99;
    assertThat(set.windows()[0][0]).isZero();
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> TrainingSet.builder(List.of("a"), 5, 1)
        .addSeries("s", Synthetic.timestamps(3), ramp(3, 1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no training window");
    assertThatThrownBy(() -> TrainingSet.builder(List.of("a"), 2, 1)
        .addSeries("s", Synthetic.timestamps(3), ramp(3, 2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 1");
    assertThatThrownBy(() -> TrainingSet.builder(List.of("a"), 2, 1)
        .addSeries("s", Synthetic.timestamps(2), ramp(3, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamps");
    assertThatThrownBy(() -> TrainingSet.builder(List.of("a"), 2, 1)
        .addSeries("s", new long[] {2, 1}, ramp(2, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("order");
    assertThatThrownBy(() -> TrainingSet.builder(List.of("a"), 2, 1)
        .addSeries("s", Synthetic.timestamps(2), ramp(2, 1))
        .addSeries("s", Synthetic.timestamps(2), ramp(2, 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> TrainingSet.builder(List.of("a"), 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("windowLength");
    assertThatThrownBy(() -> TrainingSet.builder(List.of("a"), 2, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stride");
    assertThatThrownBy(() -> TrainingSet.builder(List.of("a", "a"), 2, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
  }

  @Test
  void normaliserFloorsConstantFeatures() {
    float[][] windows = {{5f, 1000f, 5f, 1000f}};
    Normaliser n = Normaliser.fit(windows, 2);
    assertThat(n.means()).containsExactly(5f, 1000f);
    assertThat(n.stds()[0]).isEqualTo(5e-3f);
    assertThat(n.stds()[1]).isEqualTo(1f);
    float[] out = new float[4];
    n.normalise(new float[] {5f, 1001f, 5.005f, 1000f}, out, 0);
    assertThat(out[1]).isEqualTo(1f);
    assertThat(out[2]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-3f));
  }
}
