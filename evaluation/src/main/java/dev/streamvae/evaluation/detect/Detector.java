package dev.streamvae.evaluation.detect;

/**
 * An anomaly detector under evaluation. It sees one whole series but must behave as if it read
 * the records one by one: the score of record {@code t} may depend only on records
 * {@code 0..t}. Training may use the series' first {@link Series#trainLength()} records.
 */
public interface Detector {

  /** The detector's name, used in result paths (NAB: {@code results/<name>/...}). */
  String name();

  /**
   * Scores every record of the series.
   *
   * @return one anomaly score per record, each in [0, 1], higher meaning more anomalous
   */
  double[] detect(Series series);
}
