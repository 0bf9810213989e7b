package dev.streamvae.evaluation.detect;

import dev.streamvae.vae.ScoreSurprise;

/**
 * Maps a model's unbounded anomaly score (for the VAE, {@code -log p(x)} in nats) to [0, 1]
 * with statistics of its own training windows only, so it never looks at the records it scores:
 *
 * <pre>  p(s) = sigmoid(asinh((s - threshold) / scale)),  scale = threshold - median</pre>
 *
 * where {@code threshold} is the model's calibrated threshold (a high quantile of the training
 * scores) and {@code median} the training scores' median.
 *
 * <p>Why this map: it is strictly increasing, so it keeps every detector ranking; it puts the
 * model's own threshold at exactly 0.5 and measures distance from it in units of the training
 * scores' spread, so the same value means the same degree of surprise in every file, which
 * matters because NAB chooses one threshold for the whole corpus; and {@code asinh} compresses
 * the tail logarithmically so that even scores thousands of spreads beyond the threshold stay
 * distinct in a double ({@code p} reaches 1.0 only near {@code 1e16} spreads), where a plain
 * sigmoid would tie them all at 1.0. The empirical CDF of the training scores was rejected
 * because it ties every score above the training maximum at 1.0, which after a level shift can
 * be most of a file, and the threshold sweep could no longer tell them apart.
 *
 * <p>{@code scale} is floored at {@code 1e-3 * max(1, |median|)}: a perfectly predictable
 * training period (a flat line) has no spread at all.
 */
public final class ScoreCalibration {

  private final double threshold;
  private final double median;
  private final double scale;

  private ScoreCalibration(double threshold, double median, double scale) {
    this.threshold = threshold;
    this.median = median;
    this.scale = scale;
  }

  /**
   * Fits the map.
   *
   * @param trainingScores the anomaly scores of the training windows (non-finite ones ignored)
   * @param threshold the model's threshold on the same scores
   */
  public static ScoreCalibration fit(double[] trainingScores, double threshold) {
    double median = ScoreSurprise.median(trainingScores);
    if (Double.isNaN(median) || !Double.isFinite(threshold)) {
      throw new IllegalArgumentException("no finite training score to calibrate on");
    }
    // The scorer's scale, so that an evaluated score and a served one mean the same.
    return new ScoreCalibration(threshold, median, ScoreSurprise.scaleAbove(median, threshold));
  }

  /** The score in [0, 1]; 0 for a non-finite score (a window that could not be scored). */
  public double apply(double score) {
    if (Double.isNaN(score)) {
      return 0.0;
    }
    if (score == Double.POSITIVE_INFINITY) {
      return 1.0;
    }
    return 1.0 / (1.0 + Math.exp(-argument(score)));
  }

  /**
   * {@code asinh((score - threshold) / scale)}: the calibrated score before the sigmoid, an
   * unbounded, log-compressed measure of surprise in units of the training spread; NaN for NaN.
   */
  public double argument(double score) {
    return ScoreSurprise.argument(score, threshold, scale);
  }

  /** The training threshold, mapped to 0.5. */
  public double threshold() {
    return threshold;
  }

  /** The training scores' median. */
  public double median() {
    return median;
  }

  /** The unit of distance from the threshold. */
  public double scale() {
    return scale;
  }
}
