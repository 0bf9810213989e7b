package dev.streamvae.scorer.topology;

import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import java.util.Map;
import java.util.Objects;

/**
 * Told what the topology does, for metrics and the live page. Called on stream threads:
 * implementations must be cheap, thread-safe and must not throw.
 */
public interface ScoringListener {

  /** A listener that ignores everything. */
  ScoringListener NONE = new ScoringListener() {};

  /** One score record was emitted. */
  default void onScore(ScoreStatus status, boolean anomaly, String modelName) {}

  /** A SCORED anomaly opened an alert (it goes to the alerts topic). */
  default void onAlert(String modelName) {}

  /**
   * One score record was emitted (called right after {@link #onScore} for the same record),
   * with the input values it is about.
   *
   * @param record the emitted score record (SCORED, WARMING_UP or NO_MODEL)
   * @param values the input record's readings, metric name to value in the series' column order
   *     (as stored in its window, so rounded to 32-bit floats); unmodifiable
   */
  default void onScoreRecord(ScoreRecord record, Map<String, Double> values) {}

  /** One record went to the dead-letter topic. */
  default void onDeadLetter(DeadLetterReason reason) {}

  /**
   * One record was answered NO_MODEL (called besides {@link #onScore}).
   *
   * @param modelName the model the series is routed to, or null when no route matches
   * @param reason {@code no_route} or {@code no_active_version}
   */
  default void onNoModel(String modelName, String reason) {}

  /** One record was also scored by the shadow candidate of {@code modelName}. */
  default void onShadowScore(String modelName) {}

  /** A batch of windows went through the model. */
  default void onBatch(int windows, long nanos) {}

  /** Latency from the input record's timestamp to its score, in milliseconds. */
  default void onEndToEndLatency(long millis) {}

  /**
   * A listener that tells {@code first}, then {@code second}, of every event.
   *
   * @param first told first
   * @param second told second
   * @return the combined listener
   */
  static ScoringListener both(ScoringListener first, ScoringListener second) {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    return new ScoringListener() {
      @Override
      public void onScore(ScoreStatus status, boolean anomaly, String modelName) {
        first.onScore(status, anomaly, modelName);
        second.onScore(status, anomaly, modelName);
      }

      @Override
      public void onAlert(String modelName) {
        first.onAlert(modelName);
        second.onAlert(modelName);
      }

      @Override
      public void onScoreRecord(ScoreRecord record, Map<String, Double> values) {
        first.onScoreRecord(record, values);
        second.onScoreRecord(record, values);
      }

      @Override
      public void onDeadLetter(DeadLetterReason reason) {
        first.onDeadLetter(reason);
        second.onDeadLetter(reason);
      }

      @Override
      public void onNoModel(String modelName, String reason) {
        first.onNoModel(modelName, reason);
        second.onNoModel(modelName, reason);
      }

      @Override
      public void onShadowScore(String modelName) {
        first.onShadowScore(modelName);
        second.onShadowScore(modelName);
      }

      @Override
      public void onBatch(int windows, long nanos) {
        first.onBatch(windows, nanos);
        second.onBatch(windows, nanos);
      }

      @Override
      public void onEndToEndLatency(long millis) {
        first.onEndToEndLatency(millis);
        second.onEndToEndLatency(millis);
      }

      @Override
      public String toString() {
        return "both(" + first + ", " + second + ")";
      }
    };
  }
}
