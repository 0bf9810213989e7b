package dev.streamvae.scorer.live;

import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.topology.ScoringListener;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The recent score records of each series, for the live page: a ring of the last
 * {@code pointsPerSeries} points per series for at most {@code maxSeries} series, plus the last
 * {@value #ALERTS_KEPT} anomalies and running totals. Fed by the topology (one call per emitted
 * score record), read by {@link LiveController}. Thread-safe: one lock, held for an array store
 * per record and for a copy of the requested points per read.
 *
 * <p><b>Memory is bounded.</b> A point is stored in primitive columns: timestamp, anomaly score,
 * threshold and model version (8 bytes each), status and anomaly flag (1 byte), and each metric
 * as a 32-bit float, so {@code 33 + 4·F} bytes for a series of {@code F} metrics. A ring grows by
 * doubling up to {@code pointsPerSeries}, so a series costs what it holds. When a new series
 * would exceed {@code maxSeries}, the least recently updated series is dropped. At the defaults
 * (2,000 points, 1,000 series) the worst case is 1,000 × 2,000 × 37 bytes ≈ 74 MB for
 * one-metric series (plus a few hundred bytes of bookkeeping per series); lower either setting to lower it.
 *
 * <p>Points of one series are kept in timestamp order: a record older than its series' newest
 * point, or with that point's timestamp and values, is taken for a replay (after a rebalance or
 * an aborted transaction: the listener hears of records before their transaction commits) and
 * not added again. A series
 * whose set of metric names changes starts a new ring, as its scorer window does.
 */
public final class LiveFeed implements ScoringListener {

  /** How many of the latest anomalies are kept. */
  public static final int ALERTS_KEPT = 100;

  private static final int INITIAL_CAPACITY = 64;
  private static final int RATE_BUCKETS = 16;
  private static final int RATE_SECONDS = 10;
  private static final ScoreStatus[] STATUSES = ScoreStatus.values();

  private final int pointsPerSeries;
  private final int maxSeries;
  private final Clock clock;
  /** Insertion order is update order: a series is moved to the end on every update. */
  private final LinkedHashMap<String, Ring> series = new LinkedHashMap<>();
  private final Deque<Alert> alerts = new ArrayDeque<>();
  private final long[] bucketSecond = new long[RATE_BUCKETS];
  private final long[] bucketCount = new long[RATE_BUCKETS];
  private long firstSecond = Long.MIN_VALUE;
  private long sequence;
  private long records;
  private long anomalies;
  private long seriesEvicted;
  private long pointsDropped;

  /**
   * @param pointsPerSeries points kept per series (at least 1)
   * @param maxSeries series kept (at least 1)
   * @param clock "now" for the records-per-second rate
   */
  public LiveFeed(int pointsPerSeries, int maxSeries, Clock clock) {
    if (pointsPerSeries < 1 || maxSeries < 1) {
      throw new IllegalArgumentException("pointsPerSeries and maxSeries must be positive");
    }
    this.pointsPerSeries = pointsPerSeries;
    this.maxSeries = maxSeries;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Points kept per series. */
  public int pointsPerSeries() {
    return pointsPerSeries;
  }

  /** Series kept. */
  public int maxSeries() {
    return maxSeries;
  }

  @Override
  public void onScoreRecord(ScoreRecord record, Map<String, Double> values) {
    if (record == null || values == null || values.isEmpty()) {
      return;
    }
    synchronized (this) {
      Ring ring = series.remove(record.series());
      if (ring == null || !ring.hasFeatures(values)) {
        ring = new Ring(List.copyOf(values.keySet()),
            Math.min(INITIAL_CAPACITY, pointsPerSeries), pointsPerSeries);
      }
      series.put(record.series(), ring);
      if (series.size() > maxSeries) {
        Iterator<Map.Entry<String, Ring>> eldest = series.entrySet().iterator();
        eldest.next();
        eldest.remove();
        seriesEvicted++;
      }
      if (!ring.add(record, values, ++sequence)) {
        pointsDropped++;
        return;
      }
      records++;
      countForRate(record.scoredAt());
      if (record.anomaly()) {
        anomalies++;
        alerts.addFirst(new Alert(record.series(), record.timestamp(), record.anomalyScore(),
            record.threshold(), record.modelName(), record.modelVersion(), record.scoredAt()));
        if (alerts.size() > ALERTS_KEPT) {
          alerts.removeLast();
        }
      }
    }
  }

  private void countForRate(long scoredAt) {
    long second = Math.floorDiv(scoredAt, 1000L);
    int i = (int) Math.floorMod(second, (long) RATE_BUCKETS);
    if (bucketSecond[i] != second) {
      bucketSecond[i] = second;
      bucketCount[i] = 0;
    }
    bucketCount[i]++;
    if (firstSecond == Long.MIN_VALUE) {
      firstSecond = second;
    }
  }

  /** Records per second over the last complete seconds (up to ten). */
  private double rate(long nowSecond) {
    if (firstSecond == Long.MIN_VALUE) {
      return 0;
    }
    long window = Math.max(1, Math.min(RATE_SECONDS, nowSecond - firstSecond));
    long sum = 0;
    for (int i = 0; i < RATE_BUCKETS; i++) {
      long age = nowSecond - bucketSecond[i];
      if (age >= 1 && age <= window) {
        sum += bucketCount[i];
      }
    }
    return (double) sum / window;
  }

  /**
   * A copy of the requested series' latest points, the latest alerts and the totals.
   *
   * @param requested series ids in the wanted order, or empty for a default choice: the
   *     {@code defaultCount} most recently updated series, series with an anomaly among their
   *     kept points first (latest anomaly first), the others by id
   * @param defaultCount how many series the default choice holds
   * @param points the most points per series, the latest ones
   * @param alertCount the most alerts: the latest to arrive, newest record timestamp first
   */
  public synchronized Snapshot snapshot(List<String> requested, int defaultCount, int points,
      int alertCount) {
    long now = clock.millis();
    List<String> ids = requested == null || requested.isEmpty()
        ? defaultChoice(defaultCount) : new ArrayList<>(new LinkedHashSet<>(requested));
    List<SeriesView> views = new ArrayList<>(ids.size());
    for (String id : ids) {
      Ring ring = series.get(id);
      views.add(ring == null ? new SeriesView(id, false, List.of(), 0, 0, List.of())
          : ring.view(id, Math.max(0, points)));
    }
    List<Alert> latest = new ArrayList<>(Math.min(Math.max(0, alertCount), alerts.size()));
    for (Alert a : alerts) {
      if (latest.size() >= alertCount) {
        break;
      }
      latest.add(a);
    }
    // Partitions progress at their own pace: show the latest arrivals in record-time order.
    latest.sort(Comparator.comparingLong(Alert::timestamp).reversed());
    Totals totals = new Totals(records, anomalies, rate(Math.floorDiv(now, 1000L)),
        series.size(), seriesEvicted, pointsDropped, pointsPerSeries, maxSeries);
    return new Snapshot(now, totals, views, latest);
  }

  private List<String> defaultChoice(int count) {
    List<Map.Entry<String, Ring>> all = new ArrayList<>(series.entrySet());
    // Most recently updated first, then keep `count` of them, anomalous ones first.
    all.sort(Comparator.comparingLong((Map.Entry<String, Ring> e) -> e.getValue().lastSequence)
        .reversed());
    List<Map.Entry<String, Ring>> withAnomaly = new ArrayList<>();
    List<Map.Entry<String, Ring>> others = new ArrayList<>();
    for (Map.Entry<String, Ring> e : all) {
      (e.getValue().anomalies > 0 ? withAnomaly : others).add(e);
    }
    withAnomaly.sort(Comparator.comparingLong(
        (Map.Entry<String, Ring> e) -> e.getValue().lastAnomalySequence).reversed());
    List<Map.Entry<String, Ring>> chosen = new ArrayList<>(withAnomaly);
    chosen.addAll(others);
    chosen = chosen.subList(0, Math.min(Math.max(0, count), chosen.size()));
    // Shown anomalous first (latest first), the rest by id so panels do not jump every second.
    List<String> ids = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (Map.Entry<String, Ring> e : chosen) {
      (e.getValue().anomalies > 0 ? ids : rest).add(e.getKey());
    }
    rest.sort(Comparator.naturalOrder());
    ids.addAll(rest);
    return ids;
  }

  /** The last points of one series in primitive columns, oldest first from {@code start}. */
  private static final class Ring {
    private static final int ANOMALY_FLAG = 0x10;

    final List<String> features;
    final int max;
    long[] timestamps;
    float[] values;
    double[] scores;
    double[] thresholds;
    long[] versions;
    byte[] flags;
    int start;
    int size;
    int anomalies;
    long lastSequence;
    long lastAnomalySequence;

    Ring(List<String> features, int capacity, int max) {
      this.features = features;
      this.max = max;
      allocate(capacity);
    }

    private void allocate(int capacity) {
      timestamps = new long[capacity];
      values = new float[capacity * features.size()];
      scores = new double[capacity];
      thresholds = new double[capacity];
      versions = new long[capacity];
      flags = new byte[capacity];
    }

    boolean hasFeatures(Map<String, Double> row) {
      if (row.size() != features.size()) {
        return false;
      }
      int i = 0;
      for (String name : row.keySet()) {
        if (!name.equals(features.get(i++))) {
          return false;
        }
      }
      return true;
    }

    /**
     * Adds a point unless it is older than the newest one, or has the newest one's timestamp
     * and values (a replay); false if it was not added.
     */
    boolean add(ScoreRecord r, Map<String, Double> row, long sequence) {
      lastSequence = sequence;
      if (size > 0) {
        int newest = index(size - 1);
        if (r.timestamp() < timestamps[newest]
            || r.timestamp() == timestamps[newest] && sameValues(newest, row)) {
          return false;
        }
      }
      if (size == timestamps.length && size < max) {
        grow();
      }
      int slot;
      if (size == timestamps.length) {
        slot = start;
        if ((flags[slot] & ANOMALY_FLAG) != 0) {
          anomalies--;
        }
        start = (start + 1) % timestamps.length;
      } else {
        slot = index(size);
        size++;
      }
      timestamps[slot] = r.timestamp();
      int f = features.size();
      int i = 0;
      for (Double v : row.values()) {
        values[slot * f + i++] = v == null ? Float.NaN : v.floatValue();
      }
      scores[slot] = r.anomalyScore() == null ? Double.NaN : r.anomalyScore();
      thresholds[slot] = r.threshold() == null ? Double.NaN : r.threshold();
      versions[slot] = r.modelVersion() == null ? -1 : r.modelVersion();
      flags[slot] = (byte) (r.status().ordinal() | (r.anomaly() ? ANOMALY_FLAG : 0));
      if (r.anomaly()) {
        anomalies++;
        lastAnomalySequence = sequence;
      }
      return true;
    }

    private boolean sameValues(int slot, Map<String, Double> row) {
      int f = features.size();
      int i = 0;
      for (Double v : row.values()) {
        if (v == null || Float.compare(values[slot * f + i++], v.floatValue()) != 0) {
          return false;
        }
      }
      return true;
    }

    private int index(int i) {
      return (start + i) % timestamps.length;
    }

    private void grow() {
      int capacity = (int) Math.min(max, 2L * timestamps.length);
      long[] ts = timestamps;
      float[] vs = values;
      double[] sc = scores;
      double[] th = thresholds;
      long[] ve = versions;
      byte[] fl = flags;
      int f = features.size();
      int oldCapacity = ts.length;
      allocate(capacity);
      for (int i = 0; i < size; i++) {
        int from = (start + i) % oldCapacity;
        timestamps[i] = ts[from];
        System.arraycopy(vs, from * f, values, i * f, f);
        scores[i] = sc[from];
        thresholds[i] = th[from];
        versions[i] = ve[from];
        flags[i] = fl[from];
      }
      start = 0;
    }

    SeriesView view(String id, int points) {
      int n = Math.min(points, size);
      List<Point> out = new ArrayList<>(n);
      int f = features.size();
      for (int k = size - n; k < size; k++) {
        int slot = index(k);
        Map<String, Double> row = new LinkedHashMap<>();
        for (int c = 0; c < f; c++) {
          row.put(features.get(c), (double) values[slot * f + c]);
        }
        out.add(new Point(timestamps[slot], row, STATUSES[flags[slot] & 0x0f],
            Double.isNaN(scores[slot]) ? null : scores[slot],
            Double.isNaN(thresholds[slot]) ? null : thresholds[slot],
            (flags[slot] & ANOMALY_FLAG) != 0,
            versions[slot] < 0 ? null : versions[slot]));
      }
      return new SeriesView(id, true, features, size, anomalies, out);
    }
  }

  /**
   * What {@link #snapshot} returns.
   *
   * @param generatedAt when, epoch milliseconds
   * @param totals counts since start
   * @param series the requested series, in order
   * @param alerts latest anomalies, newest record timestamp first
   */
  public record Snapshot(long generatedAt, Totals totals, List<SeriesView> series,
      List<Alert> alerts) {}

  /**
   * Counts since the scorer started.
   *
   * @param records score records seen (replays not counted again)
   * @param anomalies anomalous ones among them
   * @param recordsPerSecond over the last (up to) ten complete seconds
   * @param series series kept now
   * @param seriesEvicted series dropped to stay within {@code maxSeries}
   * @param pointsDropped points taken for replays and not added (older than their series' newest
   *     point, or a repeat of it)
   * @param pointsPerSeries the per-series bound
   * @param maxSeries the series bound
   */
  public record Totals(long records, long anomalies, double recordsPerSecond, int series,
      long seriesEvicted, long pointsDropped, int pointsPerSeries, int maxSeries) {}

  /**
   * One series' latest points.
   *
   * @param id the series id
   * @param known whether the feed has seen it (since it was last evicted)
   * @param features metric names, in the series' column order
   * @param pointsKept points held for it
   * @param anomaliesKept anomalous points among them
   * @param points the latest points, oldest first
   */
  public record SeriesView(String id, boolean known, List<String> features, int pointsKept,
      int anomaliesKept, List<Point> points) {}

  /**
   * One score record with its input values.
   *
   * @param timestamp the input record's timestamp, epoch milliseconds
   * @param values metric name to reading (32-bit float precision)
   * @param status SCORED, WARMING_UP or NO_MODEL
   * @param anomalyScore the score, null unless SCORED
   * @param threshold the model's threshold, null unless SCORED
   * @param anomaly whether the score is above the threshold
   * @param modelVersion the model's version, null when there was none
   */
  public record Point(long timestamp, Map<String, Double> values, ScoreStatus status,
      Double anomalyScore, Double threshold, boolean anomaly, Long modelVersion) {}

  /**
   * One anomaly.
   *
   * @param series the series id
   * @param timestamp the input record's timestamp
   * @param anomalyScore its score
   * @param threshold the threshold it exceeded
   * @param modelName the scoring model
   * @param modelVersion its version
   * @param scoredAt when it was scored
   */
  public record Alert(String series, long timestamp, Double anomalyScore, Double threshold,
      String modelName, Long modelVersion, long scoredAt) {}
}
