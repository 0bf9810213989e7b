package dev.streamvae.evaluation.detect;

import com.amazon.randomcutforest.RandomCutForest;
import java.util.Objects;

/**
 * Random Cut Forest (Guha et al., ICML 2016; Amazon's {@code randomcutforest-core}) as a
 * streaming detector: each record is scored by the forest built from the records before it, and
 * only then added to it. Shingled internally: a point is the last {@code shingleSize} records.
 *
 * <p>Scores map to [0, 1] as NAB's own published RCF entry maps them:
 * {@code min(1, score / log2(sampleSize))}, RCF's anomaly score being on a scale whose
 * theoretical top is {@code log2(sampleSize)}. That map needs no statistics at all, so it cannot
 * look ahead. The forest answers 0 until it has seen {@code sampleSize / 4} points (its default
 * {@code outputAfter}), inside NAB's probationary period for every file.
 *
 * <p>Each feature is standardised with the mean and standard deviation of the training period
 * (records before {@link Series#trainLength()}), so that features on different scales get a fair
 * share of the random cuts; for one feature this changes nothing. A record with a non-finite
 * value scores 0 and is not added to the forest.
 */
public final class RcfDetector implements Detector {

  /** Its name. */
  public static final String NAME = "rcf";

  /**
   * The detector's settings.
   *
   * @param shingleSize records per point
   * @param trees trees in the forest
   * @param sampleSize points each tree keeps
   * @param seed random seed of the forest
   */
  public record Settings(int shingleSize, int trees, int sampleSize, long seed) {

    /** Checks the values. */
    public Settings {
      if (shingleSize < 1 || trees < 1 || sampleSize < 2) {
        throw new IllegalArgumentException("RCF needs shingleSize >= 1, trees >= 1 and"
            + " sampleSize >= 2");
      }
    }
  }

  private final Settings settings;

  /** A detector with these settings. */
  public RcfDetector(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double[] detect(Series series) {
    int n = series.size();
    int features = series.featureCount();
    double[][] values = series.values();
    double[] mean = new double[features];
    double[] std = new double[features];
    standardisation(values, series.trainLength(), mean, std);
    RandomCutForest forest = RandomCutForest.builder()
        .dimensions(features * settings.shingleSize())
        .shingleSize(settings.shingleSize())
        .internalShinglingEnabled(true)
        .numberOfTrees(settings.trees())
        .sampleSize(settings.sampleSize())
        .randomSeed(settings.seed())
        .build();
    double top = Math.log(settings.sampleSize()) / Math.log(2);
    double[] out = new double[n];
    float[] point = new float[features];
    for (int t = 0; t < n; t++) {
      boolean finite = true;
      for (int f = 0; f < features; f++) {
        point[f] = (float) ((values[t][f] - mean[f]) / std[f]);
        finite &= Float.isFinite(point[f]);
      }
      if (!finite) {
        continue;
      }
      double score = forest.getAnomalyScore(point);
      out[t] = Double.isFinite(score) ? Math.min(1.0, Math.max(0.0, score / top)) : 0.0;
      forest.update(point);
    }
    return out;
  }

  /** Mean and standard deviation (1 when zero or undefined) of the first {@code count} records. */
  static void standardisation(double[][] values, int count, double[] mean, double[] std) {
    int features = mean.length;
    for (int f = 0; f < features; f++) {
      double sum = 0;
      int k = 0;
      for (int t = 0; t < count; t++) {
        if (Double.isFinite(values[t][f])) {
          sum += values[t][f];
          k++;
        }
      }
      mean[f] = k == 0 ? 0 : sum / k;
      double sq = 0;
      for (int t = 0; t < count; t++) {
        if (Double.isFinite(values[t][f])) {
          double d = values[t][f] - mean[f];
          sq += d * d;
        }
      }
      double s = k == 0 ? 0 : Math.sqrt(sq / k);
      std[f] = s > 0 ? s : 1.0;
    }
  }
}
