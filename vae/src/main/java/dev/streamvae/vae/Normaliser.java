package dev.streamvae.vae;

/**
 * Per-feature standardisation {@code (v - mean[f]) / std[f]}, fitted on the training windows and
 * stored in the payload, so the scorer normalises exactly as the trainer did.
 *
 * <p>The standard deviation is floored at {@code max(1e-3 * max(1, |mean|), 1e-6)}: a constant
 * series would otherwise divide by zero, and a nearly constant one would turn float rounding
 * noise into huge normalised values. Relative to the mean so that large-valued but steady metrics
 * (bytes, timestamps) get a floor in their own units.
 */
final class Normaliser {

  static final double RELATIVE_STD_FLOOR = 1e-3;

  private final float[] means;
  private final float[] stds;

  Normaliser(float[] means, float[] stds) {
    if (means.length != stds.length || means.length == 0) {
      throw new IllegalArgumentException("means and stds must have the same, non-zero length");
    }
    for (int f = 0; f < means.length; f++) {
      if (!Float.isFinite(means[f]) || !(stds[f] > 0) || !Float.isFinite(stds[f])) {
        throw new IllegalArgumentException("feature " + f + ": mean " + means[f] + ", std "
            + stds[f] + " are not a usable normaliser");
      }
    }
    this.means = means.clone();
    this.stds = stds.clone();
  }

  /** Fits mean and floored std of every feature over all values of all windows. */
  static Normaliser fit(float[][] windows, int featureCount) {
    double[] sum = new double[featureCount];
    long[] count = new long[featureCount];
    for (float[] w : windows) {
      for (int i = 0; i < w.length; i++) {
        sum[i % featureCount] += w[i];
        count[i % featureCount]++;
      }
    }
    double[] mean = new double[featureCount];
    for (int f = 0; f < featureCount; f++) {
      mean[f] = sum[f] / count[f];
    }
    // Two passes: the one-pass formula cancels catastrophically for large, steady values.
    double[] sq = new double[featureCount];
    for (float[] w : windows) {
      for (int i = 0; i < w.length; i++) {
        double d = w[i] - mean[i % featureCount];
        sq[i % featureCount] += d * d;
      }
    }
    float[] means = new float[featureCount];
    float[] stds = new float[featureCount];
    for (int f = 0; f < featureCount; f++) {
      double std = Math.sqrt(sq[f] / count[f]);
      double floor = Math.max(RELATIVE_STD_FLOOR * Math.max(1.0, Math.abs(mean[f])), 1e-6);
      means[f] = (float) mean[f];
      stds[f] = (float) Math.max(std, floor);
    }
    return new Normaliser(means, stds);
  }

  int featureCount() {
    return means.length;
  }

  float[] means() {
    return means.clone();
  }

  float[] stds() {
    return stds.clone();
  }

  /** Normalises one time-major row into {@code out} starting at {@code offset}. */
  void normalise(float[] row, float[] out, int offset) {
    int featureCount = means.length;
    for (int i = 0; i < row.length; i++) {
      int f = i % featureCount;
      out[offset + i] = (row[i] - means[f]) / stds[f];
    }
  }
}
