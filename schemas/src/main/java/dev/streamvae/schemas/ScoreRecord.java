package dev.streamvae.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The scorer's verdict on one input record: the value on the {@code anomaly-scores} topic (and,
 * when {@code alert} is true, on {@code anomaly-alerts}), keyed by series id.
 *
 * <p>{@code anomalyScore} is the negative reconstruction log-probability of the window ending at
 * this record (of this record's own values, the window as their context, for a model whose score
 * target is last-record, the trainer's default), so higher means more anomalous, and {@code
 * anomaly} is {@code anomalyScore > threshold}. The model fields and scores are {@code null}
 * unless {@code status} is {@link ScoreStatus#SCORED}, except that a {@link
 * ScoreStatus#WARMING_UP} record names the active model when there is one.
 *
 * <p>Primitive components are {@code @JsonProperty(required = true)}: otherwise Jackson decodes a
 * missing one as 0 or false instead of rejecting the record.
 *
 * @param series the series id
 * @param timestamp the input record's timestamp, epoch milliseconds
 * @param status what happened to the record
 * @param logProbability Monte Carlo estimate of log p(x|z) of the window, nats
 * @param anomalyScore {@code -logProbability}
 * @param threshold the model's calibrated threshold on {@code anomalyScore}
 * @param anomaly whether {@code anomalyScore > threshold}
 * @param latentMean the encoder's mean mu(x) for the window
 * @param modelName the scoring model's name
 * @param modelVersion the scoring model's version
 * @param scoredAt when the scorer produced this record, epoch milliseconds
 * @param contributions for an anomaly, each metric's share of {@code anomalyScore} in nats
 *     (they sum to it): which metric of the window made it anomalous; null otherwise
 * @param alert whether the record opens an alert: an anomaly whose {@code anomalyScore} exceeds
 *     every score of its series' previous records within the scorer's alert look-back, so that a
 *     persisting anomaly alerts when it starts and again only when it gets worse; false unless
 *     SCORED; null only in records from scorers that predate the field. With a {@code surprise},
 *     an alert also needs {@code surprise} at or above the scorer's {@code alert-surprise}
 * @param surprise how unusual {@code anomalyScore} is against the series' own recent scores under
 *     the same model, in [0, 1]: 0.5 is ordinary, 1 is as unusual as it gets (NAB's "anomaly
 *     likelihood" idea, {@code dev.streamvae.vae.ScoreSurprise}); null unless SCORED by a model
 *     whose manifest has a score baseline, and in records from scorers that predate the field
 */
public record ScoreRecord(
    String series,
    @JsonProperty(required = true) long timestamp,
    ScoreStatus status,
    Double logProbability,
    Double anomalyScore,
    Double threshold,
    @JsonProperty(required = true) boolean anomaly,
    List<Double> latentMean,
    String modelName,
    Long modelVersion,
    @JsonProperty(required = true) long scoredAt,
    Map<String, Double> contributions,
    Boolean alert,
    Double surprise) {

  /** Validates the invariants every consumer relies on. */
  public ScoreRecord {
    Objects.requireNonNull(series, "series");
    Objects.requireNonNull(status, "status");
    latentMean = latentMean == null ? null : List.copyOf(latentMean);
    // Kept in the model's feature order (insertion order), unmodifiable.
    contributions = contributions == null ? null
        : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(contributions));
    if (contributions != null && status != ScoreStatus.SCORED) {
      throw new IllegalArgumentException("only a SCORED record has contributions");
    }
    if (status == ScoreStatus.SCORED
        && (logProbability == null || anomalyScore == null || threshold == null
            || latentMean == null || modelName == null || modelVersion == null)) {
      throw new IllegalArgumentException("a SCORED record needs its scores and model");
    }
    if (anomaly && status != ScoreStatus.SCORED) {
      throw new IllegalArgumentException("only a SCORED record can be an anomaly");
    }
    if (Boolean.TRUE.equals(alert) && !anomaly) {
      throw new IllegalArgumentException("only an anomaly can be an alert");
    }
    if (surprise != null && (status != ScoreStatus.SCORED || !(surprise >= 0 && surprise <= 1))) {
      throw new IllegalArgumentException("only a SCORED record has a surprise, in [0, 1]");
    }
  }

  /** A record without a surprise, as scorers before it wrote. */
  public ScoreRecord(String series, long timestamp, ScoreStatus status, Double logProbability,
      Double anomalyScore, Double threshold, boolean anomaly, List<Double> latentMean,
      String modelName, Long modelVersion, long scoredAt, Map<String, Double> contributions,
      Boolean alert) {
    this(series, timestamp, status, logProbability, anomalyScore, threshold, anomaly, latentMean,
        modelName, modelVersion, scoredAt, contributions, alert, null);
  }

  /** A record whose alert is not decided (null), as older scorers wrote it. */
  public ScoreRecord(String series, long timestamp, ScoreStatus status, Double logProbability,
      Double anomalyScore, Double threshold, boolean anomaly, List<Double> latentMean,
      String modelName, Long modelVersion, long scoredAt, Map<String, Double> contributions) {
    this(series, timestamp, status, logProbability, anomalyScore, threshold, anomaly, latentMean,
        modelName, modelVersion, scoredAt, contributions, null);
  }

  /** This record with its alert decided; its surprise is kept. */
  public ScoreRecord withAlert(boolean value) {
    return withSurpriseAndAlert(surprise, value);
  }

  /** This record with its surprise (null: none) and its alert decided. */
  public ScoreRecord withSurpriseAndAlert(Double newSurprise, boolean value) {
    return new ScoreRecord(series, timestamp, status, logProbability, anomalyScore, threshold,
        anomaly, latentMean, modelName, modelVersion, scoredAt, contributions, value,
        newSurprise);
  }

  /** A record without per-metric contributions and without an alert decision. */
  public ScoreRecord(String series, long timestamp, ScoreStatus status, Double logProbability,
      Double anomalyScore, Double threshold, boolean anomaly, List<Double> latentMean,
      String modelName, Long modelVersion, long scoredAt) {
    this(series, timestamp, status, logProbability, anomalyScore, threshold, anomaly, latentMean,
        modelName, modelVersion, scoredAt, null);
  }

  /** A record for input that could not be scored for a reason other than an error. */
  public static ScoreRecord unscored(
      String series, long timestamp, ScoreStatus status, String modelName, Long modelVersion,
      long scoredAt) {
    if (status == ScoreStatus.SCORED) {
      throw new IllegalArgumentException("use the canonical constructor for SCORED records");
    }
    return new ScoreRecord(series, timestamp, status, null, null, null, false, null, modelName,
        modelVersion, scoredAt, null, false);
  }
}
