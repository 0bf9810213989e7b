package dev.streamvae.vae;

import java.util.Arrays;
import java.util.Locale;

/**
 * Peaks-over-threshold calibration (extreme value theory; the initialisation step of SPOT,
 * Siffer et al., KDD 2017): the excesses of the scores over an initial threshold {@code u} (a
 * high empirical quantile) follow, by the Pickands-Balkema-de Haan theorem, approximately a
 * generalised Pareto distribution GPD(xi, sigma); the threshold for a tail probability {@code q}
 * is then
 *
 * <pre>  z_q = u + (sigma / xi) * ((q * n / n_u)^(-xi) - 1)     (xi != 0)
 *   z_q = u - sigma * log(q * n / n_u)                  (xi == 0)</pre>
 *
 * <p>with {@code n} scores of which {@code n_u} exceed {@code u}. The GPD is fitted by
 * probability-weighted moments (Hosking and Wallis, Technometrics 1987): closed form, no
 * iteration that could fail to converge, and reliable on the few dozen excesses a training set
 * gives; it needs {@code xi < 1}, so xi is clamped to [-0.5, 0.9]. With fewer than
 * {@value #MIN_EXCESSES} excesses there is no tail to fit, and the method falls back to the
 * empirical {@code 1 - q} quantile, saying so in its description.
 */
final class PeaksOverThreshold {

  /** Fewest excesses over u worth fitting a tail to. */
  static final int MIN_EXCESSES = 10;

  /** The calibrated threshold and how it was obtained (for the manifest). */
  record Result(double threshold, String description) {}

  private PeaksOverThreshold() {}

  /**
   * @param scores finite scores of normal windows
   * @param initialQuantile quantile giving u
   * @param risk the tail probability q the threshold should have, below {@code 1 - initialQuantile}
   */
  static Result fit(double[] scores, double initialQuantile, double risk) {
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double u = quantileSorted(sorted, initialQuantile);
    int firstAbove = n;
    while (firstAbove > 0 && sorted[firstAbove - 1] > u) {
      firstAbove--;
    }
    int excessCount = n - firstAbove;
    if (excessCount < MIN_EXCESSES) {
      return new Result(quantileSorted(sorted, 1 - risk), String.format(Locale.ROOT,
          "quantile(%s) (pot fallback: %d excesses over quantile(%s))",
          TrainedModel.formatQuantile(1 - risk), excessCount,
          TrainedModel.formatQuantile(initialQuantile)));
    }
    double[] y = new double[excessCount];
    for (int i = 0; i < excessCount; i++) {
      y[i] = sorted[firstAbove + i] - u; // ascending
    }
    double a0 = 0;
    double a1 = 0;
    for (int i = 0; i < excessCount; i++) {
      double p = (i + 1 - 0.35) / excessCount;
      a0 += y[i];
      a1 += (1 - p) * y[i];
    }
    a0 /= excessCount;
    a1 /= excessCount;
    double xi;
    double sigma;
    if (a0 - 2 * a1 <= 0 || a1 <= 0) {
      // Degenerate tail (all excesses equal, or nearly): exponential with the mean excess.
      xi = 0;
      sigma = Math.max(a0, 1e-12);
    } else {
      xi = 2 - a0 / (a0 - 2 * a1);
      sigma = 2 * a0 * a1 / (a0 - 2 * a1);
      xi = Math.max(-0.5, Math.min(0.9, xi));
    }
    double r = risk * n / excessCount;
    double threshold = Math.abs(xi) < 1e-9 ? u - sigma * Math.log(r)
        : u + sigma / xi * (Math.pow(r, -xi) - 1);
    return new Result(threshold, String.format(Locale.ROOT,
        "pot(risk=%s, u=quantile(%s), xi=%.4f, sigma=%.4g, excesses=%d)",
        TrainedModel.formatQuantile(risk), TrainedModel.formatQuantile(initialQuantile), xi,
        sigma, excessCount));
  }

  /** Linear-interpolated quantile of sorted values (type 7, as numpy's default). */
  static double quantileSorted(double[] sorted, double q) {
    int m = sorted.length;
    double pos = q * (m - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(m - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
