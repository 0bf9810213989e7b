package dev.streamvae.evaluation.detect;

/** NAB's baseline: the same score for every record, so it detects nothing useful. */
public final class NullDetector implements Detector {

  /** Its name. */
  public static final String NAME = "null";

  @Override
  public String name() {
    return NAME;
  }

  /** All zeros. */
  @Override
  public double[] detect(Series series) {
    return new double[series.size()];
  }
}
