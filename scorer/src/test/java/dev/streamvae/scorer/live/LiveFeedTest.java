package dev.streamvae.scorer.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LiveFeedTest {

  private static final long T0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    long millis = T0;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }

  private final MutableClock clock = new MutableClock();

  static ScoreRecord scored(String series, long timestamp, double score, double threshold) {
    return new ScoreRecord(series, timestamp, ScoreStatus.SCORED, -score, score, threshold,
        score > threshold, List.of(0.1, 0.2), "m", 3L, timestamp + 5);
  }

  static ScoreRecord warming(String series, long timestamp) {
    return ScoreRecord.unscored(series, timestamp, ScoreStatus.WARMING_UP, "m", 3L,
        timestamp + 5);
  }

  private static List<Long> timestamps(LiveFeed.SeriesView view) {
    return view.points().stream().map(LiveFeed.Point::timestamp).toList();
  }

  private static LiveFeed.SeriesView only(LiveFeed feed, String id, int points) {
    return feed.snapshot(List.of(id), 6, points, 10).series().get(0);
  }

  @Test
  void keepsTheLatestPointsOfEachSeriesInOrderUpToTheBound() {
    LiveFeed feed = new LiveFeed(200, 10, clock);
    for (int i = 0; i < 150; i++) {
      feed.onScoreRecord(scored("a", T0 + i, i, 1000), Map.of("v", (double) i));
    }
    LiveFeed.SeriesView a = only(feed, "a", 1000);
    assertThat(a.pointsKept()).isEqualTo(150);
    assertThat(timestamps(a)).hasSize(150).isSorted().startsWith(T0).endsWith(T0 + 149);
    for (int i = 150; i < 450; i++) {
      feed.onScoreRecord(scored("a", T0 + i, i, 1000), Map.of("v", (double) i));
    }
    a = only(feed, "a", 1000);
    assertThat(a.pointsKept()).isEqualTo(200);
    assertThat(timestamps(a)).hasSize(200).isSorted().startsWith(T0 + 250).endsWith(T0 + 449);
    assertThat(a.points()).allSatisfy(p ->
        assertThat(p.values().get("v")).isEqualTo((double) (p.timestamp() - T0)));
    assertThat(timestamps(only(feed, "a", 7))).containsExactly(
        T0 + 443, T0 + 444, T0 + 445, T0 + 446, T0 + 447, T0 + 448, T0 + 449);
  }

  @Test
  void anAnomalyOverwrittenInTheRingNoLongerCounts() {
    LiveFeed feed = new LiveFeed(10, 10, clock);
    feed.onScoreRecord(scored("a", T0, 99, 10), Map.of("v", 1.0));
    assertThat(only(feed, "a", 10).anomaliesKept()).isEqualTo(1);
    for (int i = 1; i < 10; i++) {
      feed.onScoreRecord(scored("a", T0 + i, 1, 10), Map.of("v", 1.0));
    }
    assertThat(only(feed, "a", 10).anomaliesKept()).isEqualTo(1);
    feed.onScoreRecord(scored("a", T0 + 10, 1, 10), Map.of("v", 1.0));
    assertThat(only(feed, "a", 10).anomaliesKept()).isZero();
    LiveFeed.Snapshot s = feed.snapshot(List.of(), 6, 10, 10);
    assertThat(s.totals().anomalies()).isEqualTo(1);
    assertThat(s.alerts()).hasSize(1);
  }

  @Test
  void dropsTheLeastRecentlyUpdatedSeriesBeyondTheBound() {
    LiveFeed feed = new LiveFeed(10, 3, clock);
    feed.onScoreRecord(warming("a", T0), Map.of("v", 1.0));
    feed.onScoreRecord(warming("b", T0), Map.of("v", 1.0));
    feed.onScoreRecord(warming("c", T0), Map.of("v", 1.0));
    feed.onScoreRecord(warming("a", T0 + 1), Map.of("v", 1.0));
    feed.onScoreRecord(warming("d", T0), Map.of("v", 1.0));

    LiveFeed.Snapshot s = feed.snapshot(List.of("a", "b", "c", "d"), 6, 10, 10);
    assertThat(s.series()).extracting(LiveFeed.SeriesView::id).containsExactly("a", "b", "c", "d");
    assertThat(s.series()).extracting(LiveFeed.SeriesView::known)
        .containsExactly(true, false, true, true);
    assertThat(s.series().get(1).points()).isEmpty();
    assertThat(s.totals().series()).isEqualTo(3);
    assertThat(s.totals().seriesEvicted()).isEqualTo(1);
    assertThat(s.totals().records()).isEqualTo(5);
    assertThat(timestamps(s.series().get(0))).containsExactly(T0, T0 + 1);

    for (int i = 0; i < 2_000; i++) {
      feed.onScoreRecord(warming("s" + i, T0), Map.of("v", 1.0));
    }
    s = feed.snapshot(List.of(), 100, 10, 10);
    assertThat(s.totals().series()).isEqualTo(3);
    assertThat(s.series()).extracting(LiveFeed.SeriesView::id)
        .containsExactly("s1997", "s1998", "s1999");
  }

  @Test
  void aReplayedPointIsNotAddedAgainButANewOneWithTheSameTimestampIs() {
    LiveFeed feed = new LiveFeed(10, 3, clock);
    feed.onScoreRecord(warming("a", T0 + 10), Map.of("v", 1.0));
    feed.onScoreRecord(warming("a", T0 + 20), Map.of("v", 2.0));
    feed.onScoreRecord(warming("a", T0 + 10), Map.of("v", 1.0));
    feed.onScoreRecord(warming("a", T0 + 20), Map.of("v", 2.0));
    feed.onScoreRecord(warming("a", T0 + 20), Map.of("v", 3.0));
    assertThat(timestamps(only(feed, "a", 10))).containsExactly(T0 + 10, T0 + 20, T0 + 20);
    assertThat(only(feed, "a", 10).points()).extracting(p -> p.values().get("v"))
        .containsExactly(1.0, 2.0, 3.0);
    assertThat(feed.snapshot(List.of(), 6, 1, 1).totals().pointsDropped()).isEqualTo(2);
  }

  @Test
  void aSeriesWhoseMetricsChangeStartsAgain() {
    LiveFeed feed = new LiveFeed(10, 3, clock);
    feed.onScoreRecord(warming("a", T0), Map.of("v", 1.0));
    feed.onScoreRecord(warming("a", T0 + 1), Map.of("v", 1.0));
    java.util.LinkedHashMap<String, Double> two = new java.util.LinkedHashMap<>();
    two.put("cpu", 0.5);
    two.put("mem", 0.25);
    feed.onScoreRecord(warming("a", T0 + 2), two);
    LiveFeed.SeriesView a = only(feed, "a", 10);
    assertThat(a.features()).containsExactly("cpu", "mem");
    assertThat(a.points()).singleElement().satisfies(p -> {
      assertThat(p.values()).containsExactly(Map.entry("cpu", 0.5), Map.entry("mem", 0.25));
      assertThat(p.status()).isEqualTo(ScoreStatus.WARMING_UP);
      assertThat(p.anomalyScore()).isNull();
      assertThat(p.threshold()).isNull();
      assertThat(p.modelVersion()).isEqualTo(3L);
    });
  }

  @Test
  void theDefaultChoiceIsTheMostRecentSeriesAnomalousOnesFirst() {
    LiveFeed feed = new LiveFeed(10, 100, clock);
    for (String id : List.of("old", "z", "y", "hot1", "x", "hot2", "w", "v")) {
      feed.onScoreRecord(scored(id, T0, id.startsWith("hot") ? 50 : 1, 10), Map.of("v", 1.0));
    }
    // "z" and "old" are the least recently updated; hot2 had the latest anomaly.
    assertThat(feed.snapshot(List.of(), 6, 10, 10).series())
        .extracting(LiveFeed.SeriesView::id)
        .containsExactly("hot2", "hot1", "v", "w", "x", "y");
    assertThat(feed.snapshot(List.of(), 2, 10, 10).series())
        .extracting(LiveFeed.SeriesView::id).containsExactly("hot2", "hot1");
    assertThat(feed.snapshot(List.of("v", "nope", "v"), 2, 10, 10).series())
        .extracting(LiveFeed.SeriesView::id).containsExactly("v", "nope");
  }

  @Test
  void alertsAreTheLatestAnomaliesNewestFirstAndBounded() {
    LiveFeed feed = new LiveFeed(10, 100, clock);
    for (int i = 0; i < LiveFeed.ALERTS_KEPT + 30; i++) {
      feed.onScoreRecord(scored("s" + (i % 3), T0 + i, i % 2 == 0 ? 50 : 1, 10),
          Map.of("v", 1.0));
    }
    LiveFeed.Snapshot s = feed.snapshot(List.of(), 6, 10, 1_000);
    assertThat(s.totals().anomalies()).isEqualTo((LiveFeed.ALERTS_KEPT + 30) / 2);
    assertThat(s.alerts()).hasSize((LiveFeed.ALERTS_KEPT + 30) / 2);
    assertThat(s.alerts().get(0).timestamp()).isEqualTo(T0 + LiveFeed.ALERTS_KEPT + 28);
    assertThat(s.alerts()).extracting(LiveFeed.Alert::timestamp)
        .isSortedAccordingTo((x, y) -> Long.compare(y, x));
    LiveFeed.Alert a = s.alerts().get(0);
    assertThat(a.anomalyScore()).isEqualTo(50.0);
    assertThat(a.threshold()).isEqualTo(10.0);
    assertThat(a.modelName()).isEqualTo("m");
    assertThat(a.modelVersion()).isEqualTo(3L);
    assertThat(feed.snapshot(List.of(), 6, 10, 5).alerts()).hasSize(5);
    for (int i = 0; i < 300; i++) {
      feed.onScoreRecord(scored("s", T0 + 1000 + i, 50, 10), Map.of("v", 1.0));
    }
    assertThat(feed.snapshot(List.of(), 6, 10, 1_000).alerts()).hasSize(LiveFeed.ALERTS_KEPT);
  }

  @Test
  void recordsPerSecondIsOverTheLastCompleteSeconds() {
    LiveFeed feed = new LiveFeed(10, 10, clock);
    assertThat(feed.snapshot(List.of(), 6, 1, 1).totals().recordsPerSecond()).isZero();
    for (int second = 0; second < 20; second++) {
      for (int i = 0; i < 30; i++) {
        long at = T0 + second * 1000L + i;
        feed.onScoreRecord(new ScoreRecord("s", at, ScoreStatus.NO_MODEL, null, null, null,
            false, null, null, null, at), Map.of("v", 1.0));
      }
    }
    clock.millis = T0 + 20_500;
    assertThat(feed.snapshot(List.of(), 6, 1, 1).totals().recordsPerSecond()).isEqualTo(30.0);
    clock.millis = T0 + 25_500;
    assertThat(feed.snapshot(List.of(), 6, 1, 1).totals().recordsPerSecond()).isEqualTo(15.0);
    clock.millis = T0 + 60_000;
    assertThat(feed.snapshot(List.of(), 6, 1, 1).totals().recordsPerSecond()).isZero();
  }

  @Test
  void isSafeUnderConcurrentWritersAndReaders() throws Exception {
    LiveFeed feed = new LiveFeed(50, 20, clock);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    CountDownLatch done = new CountDownLatch(2);
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int w = 0; w < 2; w++) {
      int writer = w;
      pool.submit(() -> {
        try {
          for (int i = 0; i < 20_000; i++) {
            feed.onScoreRecord(scored("w" + writer + "-" + (i % 30), T0 + i, i % 97, 90),
                Map.of("v", (double) i));
          }
        } catch (Throwable t) {
          errors.add(t);
        } finally {
          done.countDown();
        }
      });
    }
    pool.submit(() -> {
      try {
        while (done.getCount() > 0) {
          for (LiveFeed.SeriesView v : feed.snapshot(List.of(), 6, 50, 50).series()) {
            assertThat(timestamps(v)).isSorted().hasSizeLessThanOrEqualTo(50);
          }
        }
      } catch (Throwable t) {
        errors.add(t);
      }
    });
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(errors).isEmpty();
    LiveFeed.Snapshot s = feed.snapshot(new ArrayList<>(), 6, 50, 50);
    assertThat(s.totals().records()).isEqualTo(40_000);
    assertThat(s.totals().series()).isEqualTo(20);
  }

  @Test
  void settingsAreValidated() {
    assertThat(new LiveConfig(true, 2000, 1000).pointsPerSeries()).isEqualTo(2000);
    assertThatThrownBy(() -> new LiveConfig(true, 5, 1000))
        .hasMessageContaining("scorer.live.points-per-series");
    assertThatThrownBy(() -> new LiveConfig(true, 2000, 0))
        .hasMessageContaining("scorer.live.max-series");
    assertThatThrownBy(() -> new LiveConfig(true, 2000, 1_000_000))
        .hasMessageContaining("scorer.live.max-series");
    assertThatThrownBy(() -> new LiveFeed(0, 1, Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
