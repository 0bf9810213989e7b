package dev.streamvae.evaluation.pointwise;

import java.util.Arrays;

/**
 * Point-wise detection metrics over records with 0/1 labels and anomaly scores, a record being a
 * detection when its score is {@code >= threshold}.
 *
 * <ul>
 *   <li>{@link #bestF1}: the threshold with the highest F1 over all distinct scores, and the
 *       precision and recall there. Still an optimistic figure (the threshold is chosen with the
 *       labels), but every record counts for itself.</li>
 *   <li>{@link #averagePrecision}: the area under the precision-recall curve as the step sum
 *       {@code sum_k (R_k - R_(k-1)) P_k} over the distinct thresholds, highest first (the
 *       "average precision" of scikit-learn); threshold-free.</li>
 *   <li>{@link #pointAdjust}: the adjustment of Xu et al. (WWW 2018), common in the literature:
 *       when any record of a labelled segment is detected, the whole segment counts as
 *       detected. It inflates every detector (Kim et al., AAAI 2022, show random scores reach a
 *       high point-adjusted F1), so it is reported only beside the unadjusted figures.</li>
 * </ul>
 */
public final class PointMetrics {

  private PointMetrics() {}

  /**
   * The best F1 over thresholds.
   *
   * @param f1 the best F1 (0 when there is no positive record)
   * @param precision precision at that threshold
   * @param recall recall at that threshold
   * @param threshold the threshold (the lowest detected score); NaN without a positive
   * @param positives labelled records
   * @param records all records
   */
  public record BestF1(double f1, double precision, double recall, double threshold,
      long positives, long records) {}

  /** The best F1 over all distinct scores as thresholds. */
  public static BestF1 bestF1(double[] scores, boolean[] labels) {
    check(scores, labels);
    int[] order = descending(scores);
    long positives = 0;
    for (boolean b : labels) {
      positives += b ? 1 : 0;
    }
    if (positives == 0) {
      return new BestF1(0, Double.NaN, Double.NaN, Double.NaN, 0, scores.length);
    }
    long tp = 0;
    long fp = 0;
    double bestF1 = 0;
    double bestP = 0;
    double bestR = 0;
    double bestT = Double.NaN;
    for (int k = 0; k < order.length; k++) {
      int i = order[k];
      if (labels[i]) {
        tp++;
      } else {
        fp++;
      }
      boolean lastOfTies = k + 1 == order.length || scores[order[k + 1]] != scores[i];
      if (!lastOfTies) {
        continue;
      }
      double p = tp / (double) (tp + fp);
      double r = tp / (double) positives;
      double f1 = tp == 0 ? 0 : 2 * p * r / (p + r);
      if (f1 > bestF1) {
        bestF1 = f1;
        bestP = p;
        bestR = r;
        bestT = scores[i];
      }
    }
    return new BestF1(bestF1, bestP, bestR, bestT, positives, scores.length);
  }

  /** Average precision; NaN without a positive record. */
  public static double averagePrecision(double[] scores, boolean[] labels) {
    check(scores, labels);
    int[] order = descending(scores);
    long positives = 0;
    for (boolean b : labels) {
      positives += b ? 1 : 0;
    }
    if (positives == 0) {
      return Double.NaN;
    }
    long tp = 0;
    long fp = 0;
    double previousRecall = 0;
    double ap = 0;
    for (int k = 0; k < order.length; k++) {
      int i = order[k];
      if (labels[i]) {
        tp++;
      } else {
        fp++;
      }
      boolean lastOfTies = k + 1 == order.length || scores[order[k + 1]] != scores[i];
      if (lastOfTies) {
        double recall = tp / (double) positives;
        ap += (recall - previousRecall) * (tp / (double) (tp + fp));
        previousRecall = recall;
      }
    }
    return ap;
  }

  /**
   * Point adjustment expressed on the scores: every record of a run of consecutive positive
   * labels takes the run's highest score, so at any threshold the whole run is detected exactly
   * when one of its records is. Negative records keep their scores.
   */
  public static double[] pointAdjust(double[] scores, boolean[] labels) {
    check(scores, labels);
    double[] out = scores.clone();
    int i = 0;
    while (i < labels.length) {
      if (!labels[i]) {
        i++;
        continue;
      }
      int j = i;
      double max = Double.NEGATIVE_INFINITY;
      while (j < labels.length && labels[j]) {
        max = Math.max(max, scores[j]);
        j++;
      }
      Arrays.fill(out, i, j, max);
      i = j;
    }
    return out;
  }

  private static void check(double[] scores, boolean[] labels) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(scores.length + " scores but " + labels.length
          + " labels");
    }
    for (double s : scores) {
      if (Double.isNaN(s)) {
        throw new IllegalArgumentException("NaN score");
      }
    }
  }

  private static int[] descending(double[] scores) {
    return java.util.stream.IntStream.range(0, scores.length).boxed()
        .sorted((a, b) -> Double.compare(scores[b], scores[a]))
        .mapToInt(Integer::intValue).toArray();
  }
}
