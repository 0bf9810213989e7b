package dev.streamvae.cli;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.SchemaException;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.testkit.LabeledPoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Matches every record the demo produced with what came out (a score record or a dead letter),
 * one by one, so the run can prove that nothing was lost or duplicated, and measures detection
 * against the injected anomalies. Thread-safe.
 */
final class Ledger {

  /** Header on every demo input record: its sequence number, to match dead letters. */
  static final String SEQUENCE_HEADER = "streamvae.demo.seq";

  private final Map<String, LabeledPoint> producedValid = new HashMap<>();
  private final Map<String, List<LabeledPoint>> bySeries = new TreeMap<>();
  private final java.util.Set<Long> producedJunk = new java.util.HashSet<>();
  private final Map<String, ScoreRecord> scores = new HashMap<>();
  private final Map<String, Integer> deadLetterReasons = new TreeMap<>();
  private final Map<ScoreStatus, Long> statusCounts = new TreeMap<>();
  private final SortedSet<Long> modelVersions = new TreeSet<>();
  private final java.util.Set<String> deadLettered = new java.util.HashSet<>();
  private long outputs;
  private long duplicates;
  private long unmatched;
  private long anomalies;
  private long alerts;
  private final List<ScoreRecord> recentAlerts = new ArrayList<>();

  static String key(String series, long timestamp) {
    return series + "@" + timestamp;
  }

  synchronized void producedValid(LabeledPoint p) {
    producedValid.put(key(p.series(), p.timestamp()), p);
    bySeries.computeIfAbsent(p.series(), s -> new ArrayList<>()).add(p);
  }

  synchronized void producedJunk(long sequence) {
    producedJunk.add(sequence);
  }

  synchronized long produced() {
    return producedValid.size() + producedJunk.size();
  }

  synchronized void onScore(ScoreRecord s) {
    outputs++;
    String k = key(s.series(), s.timestamp());
    if (!producedValid.containsKey(k)) {
      unmatched++;
      return;
    }
    if (scores.putIfAbsent(k, s) != null || deadLettered.contains(k)) {
      duplicates++;
      return;
    }
    statusCounts.merge(s.status(), 1L, Long::sum);
    if (s.status() == ScoreStatus.SCORED) {
      modelVersions.add(s.modelVersion());
      if (s.anomaly()) {
        anomalies++;
      }
      if (Boolean.TRUE.equals(s.alert())) {
        alerts++;
        recentAlerts.add(s);
      }
    }
  }

  synchronized void onDeadLetter(Headers headers, byte[] value) {
    outputs++;
    String reason = text(headers.lastHeader("streamvae.dlq.reason"));
    deadLetterReasons.merge(reason == null ? "unknown" : reason, 1, Integer::sum);
    String sequence = text(headers.lastHeader(SEQUENCE_HEADER));
    if (sequence != null && producedJunk.contains(Long.parseLong(sequence))) {
      if (!deadLettered.add("junk#" + sequence)) {
        duplicates++;
      }
      return;
    }
    try {
      MetricRecord m = JsonCodec.metricRecord().decode(value);
      String k = key(m.series(), m.timestamp());
      if (!producedValid.containsKey(k)) {
        unmatched++;
      } else if (!deadLettered.add(k) || scores.containsKey(k)) {
        duplicates++;
      }
    } catch (SchemaException e) {
      unmatched++;
    }
  }

  /** Alerts (de-duplicated anomalies, {@link ScoreRecord#alert()}) seen since the last call,
   * oldest first. */
  synchronized List<ScoreRecord> drainAlerts() {
    List<ScoreRecord> out = List.copyOf(recentAlerts);
    recentAlerts.clear();
    return out;
  }

  synchronized LabeledPoint truth(String series, long timestamp) {
    return producedValid.get(key(series, timestamp));
  }

  synchronized Counts counts() {
    long warming = statusCounts.getOrDefault(ScoreStatus.WARMING_UP, 0L);
    long noModel = statusCounts.getOrDefault(ScoreStatus.NO_MODEL, 0L);
    long dead = deadLettered.size();
    return new Counts(produced(), statusCounts.getOrDefault(ScoreStatus.SCORED, 0L), anomalies,
        alerts,
        dead, warming + noModel, warming, noModel, duplicates, unmatched,
        produced() - (scores.size() + dead), List.copyOf(modelVersions),
        Map.copyOf(deadLetterReasons));
  }

  /**
   * Detection against the injected anomalies. An event (a spike, or a level shift's run of
   * points) counts as detected when a score of a window that contains one of its points is
   * flagged; windows end at most {@code windowLength - 1} points after it. A normal score is one
   * whose window contains no injected point.
   */
  synchronized Detection detection(int windowLength) {
    int events = 0;
    int detected = 0;
    int alerted = 0;
    long normal = 0;
    long falsePositives = 0;
    long falseAlerts = 0;
    for (List<LabeledPoint> points : bySeries.values()) {
      List<LabeledPoint> sorted = new ArrayList<>(points);
      sorted.sort(java.util.Comparator.comparingLong(LabeledPoint::timestamp));
      int lastAnomaly = -1_000_000;
      int i = 0;
      while (i < sorted.size()) {
        LabeledPoint p = sorted.get(i);
        if (p.anomaly()) {
          int end = i;
          while (end + 1 < sorted.size() && sorted.get(end + 1).anomaly()) {
            end++;
          }
          boolean scorable = false;
          boolean hit = false;
          boolean alert = false;
          for (int j = i; j <= Math.min(sorted.size() - 1, end + windowLength - 1); j++) {
            ScoreRecord s = scores.get(key(sorted.get(j).series(), sorted.get(j).timestamp()));
            if (s != null && s.status() == ScoreStatus.SCORED) {
              scorable = true;
              hit |= s.anomaly();
              alert |= Boolean.TRUE.equals(s.alert());
            }
          }
          if (scorable) {
            events++;
            detected += hit ? 1 : 0;
            alerted += alert ? 1 : 0;
          }
          for (int j = i; j <= end; j++) {
            lastAnomaly = j;
          }
          i = end + 1;
          continue;
        }
        if (i - lastAnomaly >= windowLength) {
          ScoreRecord s = scores.get(key(p.series(), p.timestamp()));
          if (s != null && s.status() == ScoreStatus.SCORED) {
            normal++;
            falsePositives += s.anomaly() ? 1 : 0;
            falseAlerts += Boolean.TRUE.equals(s.alert()) ? 1 : 0;
          }
        }
        i++;
      }
    }
    return new Detection(events, detected, alerted, normal, falsePositives, falseAlerts);
  }

  private static String text(Header h) {
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Totals at one moment. {@code missing} is inputs with no output yet. */
  record Counts(long produced, long scored, long anomalies, long alerts, long deadLettered,
      long unscored, long warmingUp, long noModel, long duplicates, long unmatched, long missing,
      List<Long> modelVersions, Map<String, Integer> deadLetterReasons) {

    boolean balanced() {
      return produced == scored + deadLettered + unscored && duplicates == 0 && unmatched == 0;
    }
  }

  /**
   * Event recall and normal false-positive rate, for anomalies and for alerts (an event is
   * alerted when one of its scores is an alert; a false alert is an alert on a normal record).
   */
  record Detection(int events, int detectedEvents, int alertedEvents, long normalScored,
      long falsePositives, long falseAlerts) {

    double eventRecall() {
      return events == 0 ? Double.NaN : (double) detectedEvents / events;
    }

    double alertRecall() {
      return events == 0 ? Double.NaN : (double) alertedEvents / events;
    }

    double falsePositiveRate() {
      return normalScored == 0 ? Double.NaN : (double) falsePositives / normalScored;
    }
  }
}
