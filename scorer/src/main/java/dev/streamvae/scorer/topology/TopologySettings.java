package dev.streamvae.scorer.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * The topology's immutable settings, validated at construction.
 *
 * @param inputTopic metrics topic, keyed by series id
 * @param scoresTopic one score record per input record
 * @param alertsTopic the score records that open an alert only (see {@code alertLookback})
 * @param deadLetterTopic input that cannot be parsed or scored, with reason headers
 * @param batchSize records buffered per task before they are scored together
 * @param maxBatchDelay longest wall-clock time a record waits for its batch to fill
 * @param windowCapacity records kept per series: the longest model window that can be served
 * @param limits bounds on what one input record may carry
 * @param shadowTopic score records of shadow candidates, for comparison before promotion
 * @param alertLookback an anomaly opens an alert only when its score exceeds every score of the
 *     series' previous {@code alertLookback} scored records; 0 makes every anomaly an alert
 * @param alertSurprise where a record has a surprise (its model's manifest has a score
 *     baseline), an alert also needs the surprise at or above this, in [0, 1); 0 leaves the
 *     surprise out of the decision
 */
public record TopologySettings(
    String inputTopic,
    String scoresTopic,
    String alertsTopic,
    String deadLetterTopic,
    int batchSize,
    Duration maxBatchDelay,
    int windowCapacity,
    InputLimits limits,
    String shadowTopic,
    int alertLookback,
    double alertSurprise) {

  /** The shadow topic unless configured otherwise. */
  public static final String DEFAULT_SHADOW_TOPIC = "anomaly-scores-shadow";
  /**
   * The alert look-back unless configured otherwise: the evaluation's de-duplication
   * (docs/quality.md), which took the trainer's default configuration from 12.6 to 31.1 on
   * NAB's dev half.
   */
  public static final int DEFAULT_ALERT_LOOKBACK = 16;
  /**
   * The alert surprise unless configured otherwise: about where NAB's best threshold on the
   * surprise fell on its dev half in the trainer's configuration (0.95-0.96 on three seeds,
   * docs/quality.md, session 7), a score some ten standard deviations above its series' recent
   * scores.
   */
  public static final double DEFAULT_ALERT_SURPRISE = 0.95;

  /** Settings with the default alert surprise. */
  public TopologySettings(String inputTopic, String scoresTopic, String alertsTopic,
      String deadLetterTopic, int batchSize, Duration maxBatchDelay, int windowCapacity,
      InputLimits limits, String shadowTopic, int alertLookback) {
    this(inputTopic, scoresTopic, alertsTopic, deadLetterTopic, batchSize, maxBatchDelay,
        windowCapacity, limits, shadowTopic, alertLookback, DEFAULT_ALERT_SURPRISE);
  }

  /** Settings with the default alert look-back. */
  public TopologySettings(String inputTopic, String scoresTopic, String alertsTopic,
      String deadLetterTopic, int batchSize, Duration maxBatchDelay, int windowCapacity,
      InputLimits limits, String shadowTopic) {
    this(inputTopic, scoresTopic, alertsTopic, deadLetterTopic, batchSize, maxBatchDelay,
        windowCapacity, limits, shadowTopic, DEFAULT_ALERT_LOOKBACK);
  }

  /** Settings with the default {@link InputLimits} and shadow topic. */
  public TopologySettings(String inputTopic, String scoresTopic, String alertsTopic,
      String deadLetterTopic, int batchSize, Duration maxBatchDelay, int windowCapacity) {
    this(inputTopic, scoresTopic, alertsTopic, deadLetterTopic, batchSize, maxBatchDelay,
        windowCapacity, InputLimits.DEFAULTS, DEFAULT_SHADOW_TOPIC);
  }

  /** Settings with the given {@link InputLimits} and the default shadow topic. */
  public TopologySettings(String inputTopic, String scoresTopic, String alertsTopic,
      String deadLetterTopic, int batchSize, Duration maxBatchDelay, int windowCapacity,
      InputLimits limits) {
    this(inputTopic, scoresTopic, alertsTopic, deadLetterTopic, batchSize, maxBatchDelay,
        windowCapacity, limits, DEFAULT_SHADOW_TOPIC);
  }

  /** Validates the settings. */
  public TopologySettings {
    requireTopic(inputTopic, "inputTopic");
    requireTopic(scoresTopic, "scoresTopic");
    requireTopic(alertsTopic, "alertsTopic");
    requireTopic(deadLetterTopic, "deadLetterTopic");
    requireTopic(shadowTopic, "shadowTopic");
    Objects.requireNonNull(maxBatchDelay, "maxBatchDelay");
    Objects.requireNonNull(limits, "limits");
    if (batchSize < 1 || batchSize > 65_536) {
      throw new IllegalArgumentException("batchSize must be in [1, 65536], was " + batchSize);
    }
    if (maxBatchDelay.isNegative() || maxBatchDelay.isZero()
        || maxBatchDelay.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException("maxBatchDelay must be in (0, 10s], was "
          + maxBatchDelay);
    }
    if (windowCapacity < 1 || windowCapacity > 4096) {
      throw new IllegalArgumentException("windowCapacity must be in [1, 4096], was "
          + windowCapacity);
    }
    if (alertLookback < 0 || alertLookback > 4096) {
      throw new IllegalArgumentException("alertLookback must be in [0, 4096], was "
          + alertLookback);
    }
    if (!(alertSurprise >= 0 && alertSurprise < 1)) {
      throw new IllegalArgumentException("alertSurprise must be in [0, 1), was "
          + alertSurprise);
    }
  }

  private static void requireTopic(String name, String what) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(what + " must name a topic");
    }
  }
}
