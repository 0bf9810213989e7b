package dev.streamvae.cli;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of one demo run, validated at construction.
 *
 * @param duration how long records flow; {@link Duration#ZERO} means until interrupted
 * @param summaryFile where to write the JSON summary, or null
 * @param seriesCount synthetic series
 * @param step time between two points of a series (also the live pace)
 * @param historyPoints points per series produced, back-dated, before the scorer starts
 * @param anomalyRate probability that a point starts an injected anomaly
 * @param retrainAfter when to train and publish version 2, measured from the start of live data
 * @param epochs training epochs per model
 * @param thresholdQuantile quantile of training scores used as the threshold
 * @param httpPort the scorer's HTTP port; 0 picks a free one
 * @param seed seed of the synthetic data and the models
 * @param quiet print only the summary, not the live lines
 */
public record DemoOptions(
    Duration duration,
    Path summaryFile,
    int seriesCount,
    Duration step,
    int historyPoints,
    double anomalyRate,
    Duration retrainAfter,
    int epochs,
    double thresholdQuantile,
    int httpPort,
    long seed,
    boolean quiet) {

  /** Validates the options. */
  public DemoOptions {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("--duration must not be negative");
    }
    if (seriesCount < 1 || seriesCount > 1000) {
      throw new IllegalArgumentException("--series must be in [1, 1000]");
    }
    if (step.toMillis() < 1) {
      throw new IllegalArgumentException("--step must be at least 1 ms");
    }
    if (historyPoints < 100) {
      throw new IllegalArgumentException("--history must be at least 100 points");
    }
    if (anomalyRate < 0 || anomalyRate > 0.1) {
      throw new IllegalArgumentException("--anomaly-rate must be in [0, 0.1]");
    }
    if (epochs < 1) {
      throw new IllegalArgumentException("--epochs must be at least 1");
    }
    if (!(thresholdQuantile > 0.5 && thresholdQuantile < 1)) {
      throw new IllegalArgumentException("--threshold-quantile must be in (0.5, 1)");
    }
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("--http-port must be in [0, 65535]");
    }
  }
}
