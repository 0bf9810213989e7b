package dev.streamvae.evaluation.detect;

/**
 * Online calibration of a detector's raw scores against its own recent scores, the idea of NAB's
 * "anomaly likelihood" (Ahmad et al. 2017) written from its description: a record is surprising
 * when the short-term average of the raw scores lies far above the distribution of that average
 * over a long history of the past.
 *
 * <p>For each new raw score {@code z}: {@code a} is the mean of the last {@link #shortWindow()}
 * raw scores (this one included); {@code mu} and {@code sigma} are the mean and standard
 * deviation of the previous {@link #historyLength()} values of {@code a} (this one excluded, so
 * the record never calibrates itself), {@code sigma} floored at {@link #minSigma()}; the
 * deviation is {@code d = (a - mu) / sigma} and the output {@code (1 + d / (1 + |d|)) / 2}.
 *
 * <p>Why this output and not NAB's {@code 1 - Q(d)} (Q the normal upper tail): both are strictly
 * increasing in {@code d}, and NAB's threshold sweep uses only the ordering of the scores across
 * the corpus, so both give the same NAB score; this one keeps scores with {@code d} up to about
 * {@code 1e8} distinct in a double, where {@code 1 - Q(d)} ties every {@code d > 8.3} at 1.0.
 *
 * <p>Before {@link #minHistory()} averages exist the output is 0.5 (no opinion). Not thread-safe:
 * one instance per series.
 */
public final class RecentSurprise {

  private final int shortWindow;
  private final int historyLength;
  private final int minHistory;
  private final double minSigma;
  private final double[] recent;
  private int recentCount;
  private int recentNext;
  private double recentSum;
  private final double[] history;
  private int historyCount;
  private int historyNext;
  private double historySum;
  private double historySumSquares;

  /**
   * @param shortWindow raw scores averaged, at least 1
   * @param historyLength averages in the reference distribution, at least 2
   * @param minHistory averages needed before the output means anything, in [2, historyLength]
   * @param minSigma floor of the reference standard deviation, positive
   */
  public RecentSurprise(int shortWindow, int historyLength, int minHistory, double minSigma) {
    if (shortWindow < 1 || historyLength < 2 || minHistory < 2 || minHistory > historyLength
        || !(minSigma > 0)) {
      throw new IllegalArgumentException("need shortWindow >= 1, historyLength >= 2, minHistory"
          + " in [2, historyLength], minSigma > 0");
    }
    this.shortWindow = shortWindow;
    this.historyLength = historyLength;
    this.minHistory = minHistory;
    this.minSigma = minSigma;
    this.recent = new double[shortWindow];
    this.history = new double[historyLength];
  }

  /**
   * The defaults, fixed before any run and never tuned on labels: NAB's own choices for its
   * likelihood (averages of 10 raw scores; a history of 8640 records, a month of 5-minute data),
   * at least 100 averages (at most one NAB probationary period gives more than that), and a
   * floor of 0.05 on sigma (in the asinh units of {@link ScoreCalibration}, a twentieth of the
   * training scores' median-to-threshold spread) so a perfectly flat history does not turn float
   * noise into alarms.
   */
  public static RecentSurprise defaults() {
    return new RecentSurprise(10, 8640, 100, 0.05);
  }

  /** The same settings with another number of raw scores averaged (a fresh instance). */
  public RecentSurprise withShortWindow(int records) {
    return new RecentSurprise(records, historyLength, minHistory, minSigma);
  }

  /** Feeds a raw score and returns the calibrated one in [0, 1]; a non-finite score is skipped
   * (returns 0.5 and changes nothing). */
  public double next(double raw) {
    if (!Double.isFinite(raw)) {
      return 0.5;
    }
    if (recentCount == shortWindow) {
      recentSum -= recent[recentNext];
    } else {
      recentCount++;
    }
    recent[recentNext] = raw;
    recentSum += raw;
    recentNext = (recentNext + 1) % shortWindow;
    double average = recentSum / recentCount;

    double out = 0.5;
    if (historyCount >= minHistory) {
      double mu = historySum / historyCount;
      double variance = Math.max(0, historySumSquares / historyCount - mu * mu);
      double sigma = Math.max(Math.sqrt(variance), minSigma);
      double d = (average - mu) / sigma;
      out = 0.5 * (1 + d / (1 + Math.abs(d)));
    }
    if (historyCount == historyLength) {
      double old = history[historyNext];
      historySum -= old;
      historySumSquares -= old * old;
    } else {
      historyCount++;
    }
    history[historyNext] = average;
    historySum += average;
    historySumSquares += average * average;
    historyNext = (historyNext + 1) % historyLength;
    // Running sums drift over millions of updates; recompute them exactly now and then.
    if (historyNext == 0) {
      historySum = 0;
      historySumSquares = 0;
      for (int i = 0; i < historyCount; i++) {
        historySum += history[i];
        historySumSquares += history[i] * history[i];
      }
    }
    return out;
  }

  /** Raw scores averaged. */
  public int shortWindow() {
    return shortWindow;
  }

  /** Averages in the reference distribution. */
  public int historyLength() {
    return historyLength;
  }

  /** Averages needed before the output is informative. */
  public int minHistory() {
    return minHistory;
  }

  /** Floor of the reference standard deviation. */
  public double minSigma() {
    return minSigma;
  }
}
