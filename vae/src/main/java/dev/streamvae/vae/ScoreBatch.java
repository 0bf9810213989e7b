package dev.streamvae.vae;

/**
 * The scores of one batch of windows, in input order: reconstruction log-probability, anomaly
 * score, decision and latent mean per window. Immutable.
 *
 * <p>A window that contained a non-finite value cannot be scored: its log-probability and score
 * are NaN, {@link #isScored(int)} is false, {@link #isAnomaly(int)} is false and its latent mean
 * is NaN. Callers route such windows elsewhere (a dead-letter topic) rather than emit them.
 */
public final class ScoreBatch {

  private final double[] logProbability;
  private final float[] latentMeans;
  private final int latentDim;
  private final double threshold;

  ScoreBatch(double[] logProbability, float[] latentMeans, int latentDim, double threshold) {
    this.logProbability = logProbability;
    this.latentMeans = latentMeans;
    this.latentDim = latentDim;
    this.threshold = threshold;
  }

  static ScoreBatch empty(int latentDim, double threshold) {
    return new ScoreBatch(new double[0], new float[0], latentDim, threshold);
  }

  /** Number of windows scored. */
  public int size() {
    return logProbability.length;
  }

  /**
   * Monte Carlo mean over the model's L fixed samples of {@code log N(x | mu_dec(z_l),
   * exp(logvar_dec(z_l)))}, summed over all {@code W * F} values of window {@code i}, in the
   * normalised space, in nats. Lower is more anomalous.
   */
  public double logProbability(int i) {
    return logProbability[i];
  }

  /** {@code -logProbability(i)}: higher is more anomalous. */
  public double anomalyScore(int i) {
    return -logProbability[i];
  }

  /** Whether window {@code i} scored above the model's threshold. */
  public boolean isAnomaly(int i) {
    return anomalyScore(i) > threshold;
  }

  /** Whether window {@code i} could be scored (all its values were finite). */
  public boolean isScored(int i) {
    return !Double.isNaN(logProbability[i]);
  }

  /** The threshold on the anomaly score these decisions used. */
  public double threshold() {
    return threshold;
  }

  /** A copy of the encoder mean {@code mu(x)} of window {@code i}, length latentDim. */
  public float[] latentMean(int i) {
    if (i < 0 || i >= logProbability.length) {
      throw new IndexOutOfBoundsException("window " + i + " of " + logProbability.length);
    }
    float[] out = new float[latentDim];
    System.arraycopy(latentMeans, i * latentDim, out, 0, latentDim);
    return out;
  }
}
