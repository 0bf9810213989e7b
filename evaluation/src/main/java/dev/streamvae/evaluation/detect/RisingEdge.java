package dev.streamvae.evaluation.detect;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * Alert de-duplication applied to any detector's scores: a record keeps its score only when it is
 * strictly higher than every score of the previous {@code k} records; otherwise the score is
 * halved, which puts it below 0.5, the "no opinion" level of {@link RecentSurprise} and below any
 * threshold an alerting rule would use.
 *
 * <p>Why: an operator wants one alert when something goes wrong and another only when it gets
 * worse, not one per record while it stays wrong. The rule keeps that property for every
 * threshold at once, which matters because NAB chooses the threshold after the fact: for any
 * threshold {@code θ}, the first record at or above {@code θ} after {@code k} records below it
 * is kept, at the same record, with the same score; what is dropped are the records that follow
 * it without exceeding it. Past only: the score of record {@code t} depends on scores
 * {@code t - k .. t}.
 *
 * <p>A monotone-deque sliding maximum makes it linear in the series length.
 */
public final class RisingEdge implements Detector {

  private final Detector inner;
  private final int records;

  /**
   * @param inner the detector whose scores are de-duplicated; its name is kept, so results land
   *     where the inner detector's would
   * @param records {@code k}, the look-back in records, at least 1
   */
  public RisingEdge(Detector inner, int records) {
    this.inner = Objects.requireNonNull(inner, "inner");
    if (records < 1) {
      throw new IllegalArgumentException("records must be >= 1, was " + records);
    }
    this.records = records;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public double[] detect(Series series) {
    return apply(inner.detect(series), records);
  }

  /** The de-duplicated copy of {@code scores} with look-back {@code k}. */
  public static double[] apply(double[] scores, int k) {
    double[] out = new double[scores.length];
    // Indices of the previous k scores whose values decrease from head to tail: the head is
    // their maximum.
    Deque<Integer> window = new ArrayDeque<>();
    for (int t = 0; t < scores.length; t++) {
      while (!window.isEmpty() && window.peekFirst() < t - k) {
        window.pollFirst();
      }
      double s = scores[t];
      boolean risesAboveAll = window.isEmpty() || s > scores[window.peekFirst()];
      out[t] = risesAboveAll ? s : s * 0.5;
      while (!window.isEmpty() && scores[window.peekLast()] <= s) {
        window.pollLast();
      }
      window.addLast(t);
    }
    return out;
  }
}
