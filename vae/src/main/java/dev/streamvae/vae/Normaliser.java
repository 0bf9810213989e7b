package dev.streamvae.vae;

/**
 * Per-feature standardisation {@code (v - mean[f]) / std[f]}, fitted on the training windows and
 * stored in the payload, so the scorer normalises exactly as the trainer did.
 *
 * <p>The standard deviation is floored at {@code max(1e-3 * max(1, |mean|), 1e-6)}: a constant
 * series would otherwise divide by zero, and a nearly constant one would turn float rounding
 * noise into huge normalised values. Relative to the mean so that large-valued but steady metrics
 * (bytes, timestamps) get a floor in their own units.
 *
 * <p>With {@code centreWindows} ({@link VaeConfig#centreWindows()}) each window first has its own
 * per-feature mean subtracted, so the model sees the window's shape and not its level: a level
 * shift is surprising while it lies inside the window and ordinary once the window has passed
 * it. {@code means} and {@code stds} are then those of the centred values.
 */
final class Normaliser {

  static final double RELATIVE_STD_FLOOR = 1e-3;

  private final float[] means;
  private final float[] stds;
  private final boolean centreWindows;

  Normaliser(float[] means, float[] stds) {
    this(means, stds, false);
  }

  Normaliser(float[] means, float[] stds, boolean centreWindows) {
    this.centreWindows = centreWindows;
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
    return fit(windows, featureCount, false);
  }

  /** Fits on the windows as {@link #normalise} will see them: centred first when asked. */
  static Normaliser fit(float[][] windows, int featureCount, boolean centreWindows) {
    if (centreWindows) {
      float[][] centred = new float[windows.length][];
      for (int i = 0; i < windows.length; i++) {
        centred[i] = windows[i].clone();
        centre(centred[i], featureCount);
      }
      Normaliser plain = fit(centred, featureCount, false);
      return new Normaliser(plain.means, plain.stds, true);
    }
    // Missing values (NaN, kept only under VaeConfig.maxMissing) are left out of both passes.
    double[] sum = new double[featureCount];
    long[] count = new long[featureCount];
    for (float[] w : windows) {
      for (int i = 0; i < w.length; i++) {
        if (!Float.isNaN(w[i])) {
          sum[i % featureCount] += w[i];
          count[i % featureCount]++;
        }
      }
    }
    double[] mean = new double[featureCount];
    for (int f = 0; f < featureCount; f++) {
      mean[f] = count[f] == 0 ? 0 : sum[f] / count[f];
    }
    // Two passes: the one-pass formula cancels catastrophically for large, steady values.
    double[] sq = new double[featureCount];
    for (float[] w : windows) {
      for (int i = 0; i < w.length; i++) {
        if (!Float.isNaN(w[i])) {
          double d = w[i] - mean[i % featureCount];
          sq[i % featureCount] += d * d;
        }
      }
    }
    float[] means = new float[featureCount];
    float[] stds = new float[featureCount];
    for (int f = 0; f < featureCount; f++) {
      double std = count[f] == 0 ? 0 : Math.sqrt(sq[f] / count[f]);
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

  /** Whether each window is centred on its own per-feature mean first. */
  boolean centreWindows() {
    return centreWindows;
  }

  /**
   * Normalises one time-major row into {@code out} starting at {@code offset}; a missing (NaN)
   * value stays NaN, for the caller to impute and mask.
   */
  void normalise(float[] row, float[] out, int offset) {
    int featureCount = means.length;
    double[] windowMeans = centreWindows ? windowMeans(row, featureCount) : null;
    for (int i = 0; i < row.length; i++) {
      int f = i % featureCount;
      float v = centreWindows ? (float) (row[i] - windowMeans[f]) : row[i];
      out[offset + i] = (v - means[f]) / stds[f];
    }
  }

  /** Per-feature means of a window's present values (0 for a feature with none). */
  private static double[] windowMeans(float[] row, int featureCount) {
    double[] m = new double[featureCount];
    int[] n = new int[featureCount];
    for (int i = 0; i < row.length; i++) {
      if (!Float.isNaN(row[i])) {
        m[i % featureCount] += row[i];
        n[i % featureCount]++;
      }
    }
    for (int f = 0; f < featureCount; f++) {
      m[f] = n[f] == 0 ? 0 : m[f] / n[f];
    }
    return m;
  }

  private static void centre(float[] row, int featureCount) {
    double[] m = windowMeans(row, featureCount);
    for (int i = 0; i < row.length; i++) {
      row[i] = (float) (row[i] - m[i % featureCount]);
    }
  }
}
