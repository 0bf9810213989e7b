package dev.streamvae.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamvae.schemas.MetricRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyntheticMetricsTest {

  private static final long START = 1_700_000_000_000L;

  @Test
  void sameSeedGivesSamePointsAndRangesAgreeWithTheWhole() {
    SyntheticMetrics a = anomalous(7).build();
    SyntheticMetrics b = anomalous(7).build();
    List<LabeledPoint> whole = a.points(START, 0, 600);

    assertThat(b.points(START, 0, 600)).isEqualTo(whole);
    List<LabeledPoint> history = a.points(START, 0, 250);
    List<LabeledPoint> live = a.points(START, 250, 600);
    assertThat(history.size() + live.size()).isEqualTo(whole.size());
    assertThat(history).isEqualTo(whole.subList(0, history.size()));
    assertThat(live).isEqualTo(whole.subList(history.size(), whole.size()));
    assertThat(anomalous(8).build().points(START, 0, 600)).isNotEqualTo(whole);
  }

  @Test
  void pointsAreInterleavedInTimeOrder() {
    SyntheticMetrics metrics = SyntheticMetrics.builder().seriesCount(3).stepMillis(1_000).build();
    List<LabeledPoint> points = metrics.points(START, 5, 8);

    assertThat(points).extracting(LabeledPoint::series).containsExactly(
        "series-0", "series-1", "series-2", "series-0", "series-1", "series-2",
        "series-0", "series-1", "series-2");
    assertThat(points).extracting(LabeledPoint::timestamp).containsExactly(
        START + 5_000, START + 5_000, START + 5_000, START + 6_000, START + 6_000, START + 6_000,
        START + 7_000, START + 7_000, START + 7_000);
    assertThat(metrics.seriesIds()).containsExactly("series-0", "series-1", "series-2");
    assertThat(metrics.points(START, 3, 3)).isEmpty();
  }

  @Test
  void seriesHaveDistinctSeasonalShapes() {
    SyntheticMetrics metrics = SyntheticMetrics.builder().seriesCount(2).noise(0).period(24)
        .build();
    double first = metrics.baseline("series-0", 0).get("value");
    assertThat(metrics.baseline("series-1", 0).get("value")).isNotEqualTo(first);
    // Periodic with the configured period.
    assertThat(metrics.baseline("series-0", 24).get("value")).isCloseTo(first, within(1e-9));
    assertThat(metrics.point("series-0", START, 24).values().get("value"))
        .isCloseTo(first, within(1e-9));
  }

  @Test
  void normalPointsStayNearTheirPattern() {
    SyntheticMetrics metrics = SyntheticMetrics.builder().seriesCount(2).noise(0.05).build();
    for (LabeledPoint p : metrics.points(START, 0, 2_000)) {
      assertThat(p.anomaly()).isFalse();
      double amplitude = metrics.amplitude(p.series(), "value");
      double deviation = p.values().get("value") - metrics.baseline(p.series(), index(p))
          .get("value");
      assertThat(Math.abs(deviation)).isLessThan(6 * 0.05 * amplitude);
    }
  }

  @Test
  void labelsMatchTheInjectedOffsets() {
    SyntheticMetrics metrics = anomalous(3).noise(0).features("cpu", "latency").build();
    int spikes = 0;
    int shifted = 0;
    for (LabeledPoint p : metrics.points(START, 0, 3_000)) {
      Map<String, Double> baseline = metrics.baseline(p.series(), index(p));
      double expectedUnits = p.anomalyKind() == null ? 0
          : LabeledPoint.SPIKE.equals(p.anomalyKind()) ? 6 : SyntheticMetrics.LEVEL_SHIFT_AMPLITUDES;
      Double sign = null;
      for (String feature : List.of("cpu", "latency")) {
        double offset = (p.values().get(feature) - baseline.get(feature))
            / metrics.amplitude(p.series(), feature);
        assertThat(Math.abs(offset)).as("offset of %s", p).isCloseTo(expectedUnits, within(1e-9));
        if (expectedUnits > 0) {
          // One sign per anomaly, shared by every feature.
          if (sign != null) {
            assertThat(Math.signum(offset)).isEqualTo(sign);
          }
          sign = Math.signum(offset);
        }
      }
      spikes += LabeledPoint.SPIKE.equals(p.anomalyKind()) ? 1 : 0;
      shifted += LabeledPoint.LEVEL_SHIFT.equals(p.anomalyKind()) ? 1 : 0;
    }
    assertThat(spikes).isPositive();
    assertThat(shifted).isPositive();
  }

  @Test
  void anomalyRateIsAboutAsConfigured() {
    SyntheticMetrics spikesOnly = SyntheticMetrics.builder().seed(11).seriesCount(4)
        .anomalyRate(0.01).levelShiftFraction(0).build();
    List<LabeledPoint> points = spikesOnly.points(START, 0, 10_000);
    double rate = points.stream().filter(LabeledPoint::anomaly).count() / (double) points.size();
    assertThat(rate).isCloseTo(0.01, within(0.002));

    SyntheticMetrics none = SyntheticMetrics.builder().seriesCount(4).build();
    assertThat(none.points(START, 0, 2_000)).noneMatch(LabeledPoint::anomaly);
  }

  @Test
  void levelShiftsLastTheConfiguredLength() {
    int length = 15;
    SyntheticMetrics metrics = SyntheticMetrics.builder().seed(5).anomalyRate(0.004)
        .levelShiftFraction(1).levelShiftLength(length).noise(0).build();
    List<LabeledPoint> points = metrics.points(START, 0, 20_000);
    int runs = 0;
    int run = 0;
    double runOffset = 0;
    for (LabeledPoint p : points) {
      double offset = p.values().get("value") - metrics.baseline("series-0", index(p)).get("value");
      if (p.anomaly() && run > 0 && run < length) {
        assertThat(offset).as("a shift keeps one offset").isCloseTo(runOffset, within(1e-9));
        run++;
      } else if (p.anomaly()) {
        assertThat(run).isIn(0, length);
        runs++;
        run = 1;
        runOffset = offset;
      } else {
        assertThat(run).as("run ending before %s", p).isIn(0, length);
        run = 0;
      }
    }
    assertThat(runs).isGreaterThan(20);
  }

  @Test
  void recordCarriesSeriesTimestampAndValues() {
    SyntheticMetrics metrics = SyntheticMetrics.builder().features("a", "b").build();
    LabeledPoint p = metrics.points(START, 10, 11).get(0);
    MetricRecord record = metrics.toRecord(p);
    assertThat(record.series()).isEqualTo("series-0");
    assertThat(record.timestamp()).isEqualTo(START + 10 * 60_000L);
    assertThat(record.values()).isEqualTo(p.values()).containsOnlyKeys("a", "b");
    assertThat(p.values().keySet()).containsExactly("a", "b");
  }

  @Test
  void rejectsInvalidSettings() {
    assertThatThrownBy(() -> SyntheticMetrics.builder().seriesCount(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyntheticMetrics.builder().features().build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyntheticMetrics.builder().features("x", "x").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyntheticMetrics.builder().anomalyRate(1.5).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyntheticMetrics.builder().period(1).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyntheticMetrics.builder().build().points(START, 5, 4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LabeledPoint("s", 0, Map.of("v", 1.0), true, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static SyntheticMetrics.Builder anomalous(long seed) {
    return SyntheticMetrics.builder().seed(seed).seriesCount(3).anomalyRate(0.01)
        .levelShiftLength(10);
  }

  private static int index(LabeledPoint p) {
    return (int) ((p.timestamp() - START) / 60_000L);
  }
}
