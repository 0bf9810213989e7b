package dev.streamvae.vae;

import java.util.List;
import java.util.Random;

/** Seeded synthetic series and the models trained on them, shared by the tests of this module. */
final class Synthetic {

  static final int WINDOW = 32;
  static final double LEVEL = 10;
  static final double AMPLITUDE = 3;
  static final double PERIOD = 50;
  static final double NOISE = 0.3;
  static final long T0 = 1_700_000_000_000L;
  static final long STEP_MS = 60_000;

  private static TrainedModel sine;

  private Synthetic() {}

  /** {@code LEVEL + AMPLITUDE * sin(2 pi t / PERIOD) + N(0, NOISE)}, one feature. */
  static double[][] sine(int length, long seed) {
    Random random = new Random(seed);
    double[][] values = new double[length][1];
    for (int t = 0; t < length; t++) {
      values[t][0] = LEVEL + AMPLITUDE * Math.sin(2 * Math.PI * t / PERIOD)
          + NOISE * random.nextGaussian();
    }
    return values;
  }

  static long[] timestamps(int length) {
    long[] ts = new long[length];
    for (int t = 0; t < length; t++) {
      ts[t] = T0 + t * STEP_MS;
    }
    return ts;
  }

  /** Standard deviation of the noiseless-plus-noise sine: what the normaliser will measure. */
  static double sineStd() {
    return Math.sqrt(AMPLITUDE * AMPLITUDE / 2 + NOISE * NOISE);
  }

  static VaeConfig sineConfig() {
    // The whole-window target: these tests predate the last-record default and check properties of
    // the window's score; ScoreTargetTest covers the last-record path.
    return VaeConfig.builder().scoreTarget(VaeConfig.ScoreTarget.WINDOW).windowLength(WINDOW)
        .hiddenSizes(32, 16).latentDim(4)
        .epochs(15).batchSize(64).learningRate(3e-3).mcSamples(8).seed(7).build();
  }

  static TrainingSet sineTrainingSet() {
    int length = 3000;
    return TrainingSet.builder(List.of("value"), WINDOW, 1)
        .addSeries("sine", timestamps(length), sine(length, 1)).build();
  }

  /** One model trained on {@link #sineTrainingSet()}, trained once per test JVM. */
  static synchronized TrainedModel sineModel() {
    if (sine == null) {
      sine = VaeTrainer.train(sineTrainingSet(), sineConfig(), null);
    }
    return sine;
  }

  /** All windows (stride 1) of a series, flattened as the model reads them. */
  static float[][] windows(double[][] values, int window) {
    int f = values[0].length;
    float[][] out = new float[values.length - window + 1][window * f];
    for (int s = 0; s < out.length; s++) {
      for (int t = 0; t < window; t++) {
        for (int j = 0; j < f; j++) {
          out[s][t * f + j] = (float) values[s + t][j];
        }
      }
    }
    return out;
  }
}
