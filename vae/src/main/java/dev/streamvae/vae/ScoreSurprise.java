package dev.streamvae.vae;

import java.util.Arrays;

/**
 * How unusual an anomaly score is against the same series' own past scores: the idea of NAB's
 * "anomaly likelihood" (Ahmad et al. 2017), in a form small enough to keep for every series of a
 * stream (a count, a mean and a variance).
 *
 * <p>Scores are first put on a common scale, {@link #argument}: {@code asinh((score - threshold)
 * / scale)}, with the model's threshold and {@code scale} the distance from the training scores'
 * median to that threshold, so one unit means the same in every series and a huge score does
 * not swamp the moments. The moments are of those arguments: for the first {@value #HORIZON}
 * arguments exactly their running mean and (population) variance, after that exponentially
 * weighted with weight {@code 1 / HORIZON}, so the reference keeps following a series that
 * changes. A score's surprise compares it with the moments from before it: {@code d = (x - mean)
 * / max(sd, MIN_SIGMA)}, reported as {@code (1 + d / (1 + |d|)) / 2} in [0, 1]; 0.5 means no
 * opinion, which is also the answer before {@value #MIN_HISTORY} past arguments exist.
 *
 * <p>Measured on NAB's dev half in the trainer's configuration (docs/quality.md, issue #3
 * session 7): the scorer's alert rule with this surprise scored 52.2 on NAB's standard profile
 * (three seeds' mean), against 31.1 without it; a sliding window of the last 8,640 scores instead
 * of these moments scored 53.0 with the evaluation's de-duplication, this form 52.6. Immutable:
 * {@link #add} returns the next state.
 *
 * @param count arguments seen (the training windows' included)
 * @param mean their (weighted) mean
 * @param variance their (weighted) population variance
 */
public record ScoreSurprise(long count, double mean, double variance) {

  /** Arguments after which the moments stop being plain averages and start to forget. */
  public static final int HORIZON = 8_640;
  /** Past arguments needed before a surprise means anything. */
  public static final int MIN_HISTORY = 100;
  /**
   * Floor of the reference standard deviation, in argument units (a twentieth of the training
   * scores' median-to-threshold distance): a perfectly flat past must not turn float noise into
   * surprises.
   */
  public static final double MIN_SIGMA = 0.05;
  /** No past at all. */
  public static final ScoreSurprise EMPTY = new ScoreSurprise(0, 0, 0);

  /** Validates the state. */
  public ScoreSurprise {
    if (count < 0 || !Double.isFinite(mean) || !Double.isFinite(variance) || variance < 0) {
      throw new IllegalArgumentException("need count >= 0, a finite mean and a finite variance"
          + " >= 0; was " + count + ", " + mean + ", " + variance);
    }
  }

  /** The surprise of argument {@code x} in [0, 1]; 0.5 while the past is too short or x is NaN. */
  public double of(double x) {
    if (count < MIN_HISTORY || Double.isNaN(x)) {
      return 0.5;
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? 1.0 : 0.0;
    }
    double d = (x - mean) / Math.max(Math.sqrt(variance), MIN_SIGMA);
    return 0.5 * (1 + d / (1 + Math.abs(d)));
  }

  /** The state once {@code x} is part of the past; a non-finite x changes nothing. */
  public ScoreSurprise add(double x) {
    if (!Double.isFinite(x)) {
      return this;
    }
    long n = count + 1;
    double weight = 1.0 / Math.min(n, HORIZON);
    double delta = x - mean;
    double nextMean = mean + weight * delta;
    double nextVariance = (1 - weight) * (variance + weight * delta * delta);
    return new ScoreSurprise(n, nextMean, Math.max(0, nextVariance));
  }

  /**
   * A score on the common scale: {@code asinh((score - threshold) / scale)}; NaN for NaN, and
   * infinite for an infinite score.
   */
  public static double argument(double score, double threshold, double scale) {
    if (Double.isInfinite(score)) {
      return score;
    }
    double z = (score - threshold) / scale;
    double a = Math.abs(z);
    double r = a > 1e8 ? Math.log(2 * a) : Math.log1p(a + a * a / (1 + Math.sqrt(1 + a * a)));
    return Math.copySign(r, z);
  }

  /**
   * The scale of {@link #argument} for a model: its threshold minus the median of its training
   * scores, floored ({@link #scaleAbove}). Non-finite training scores are ignored.
   *
   * @throws IllegalArgumentException without a finite training score or threshold
   */
  public static double scale(double[] trainingScores, double threshold) {
    double median = median(trainingScores);
    if (Double.isNaN(median) || !Double.isFinite(threshold)) {
      throw new IllegalArgumentException("no finite training score or threshold to scale by");
    }
    return scaleAbove(median, threshold);
  }

  /**
   * The scale of {@link #argument} from the training scores' median: {@code threshold - median},
   * floored at {@code 1e-3 * max(1, |median|)} (a perfectly predictable training period has no
   * spread at all).
   */
  public static double scaleAbove(double median, double threshold) {
    return Math.max(threshold - median, 1e-3 * Math.max(1.0, Math.abs(median)));
  }

  /** The median of the finite scores; NaN when there is none. */
  public static double median(double[] scores) {
    double[] finite = Arrays.stream(scores).filter(Double::isFinite).sorted().toArray();
    int n = finite.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? finite[n / 2] : 0.5 * (finite[n / 2 - 1] + finite[n / 2]);
  }

  /**
   * The state a series starts from: the arguments of the model's training scores, in order, so
   * a new series has an opinion from its first scored record.
   */
  public static ScoreSurprise baseline(double[] trainingScores, double threshold, double scale) {
    ScoreSurprise state = EMPTY;
    for (double s : trainingScores) {
      state = state.add(argument(s, threshold, scale));
    }
    return state;
  }
}
