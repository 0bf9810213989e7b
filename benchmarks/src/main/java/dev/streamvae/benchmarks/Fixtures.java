package dev.streamvae.benchmarks;

import dev.streamvae.vae.AnomalyModel;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.util.List;
import java.util.Random;

/**
 * Seeded data and models shared by the benchmarks: a noisy sine, one metric, cut into windows of
 * the default length, and models of the default architecture (W=32, F=1, hidden [32, 16], k=4)
 * that differ only in their Monte Carlo samples L.
 */
final class Fixtures {

  static final long T0 = 1_700_000_000_000L;
  static final long STEP_MS = 60_000;

  private Fixtures() {}

  /** The scorer's default model shape with {@code mcSamples} samples, quickly trained. */
  static VaeConfig config(int mcSamples, int epochs) {
    return VaeConfig.builder().mcSamples(mcSamples).epochs(epochs).seed(11).build();
  }

  /** A model of the default shape trained for two epochs: the weights' values do not matter. */
  static AnomalyModel model(int mcSamples) {
    return model(mcSamples, VaeConfig.ScoreTarget.WINDOW);
  }

  /** As {@link #model(int)}, scoring {@code target}. */
  static AnomalyModel model(int mcSamples, VaeConfig.ScoreTarget target) {
    VaeConfig config = config(mcSamples, 2).toBuilder().scoreTarget(target).build();
    return VaeTrainer.train(trainingSet(4_000, config), config, null).model();
  }

  /** Stride-1 windows of a sine series of {@code records + W - 1} records. */
  static TrainingSet trainingSet(int windows, VaeConfig config) {
    int length = windows + config.windowLength() - 1;
    long[] ts = new long[length];
    for (int t = 0; t < length; t++) {
      ts[t] = T0 + t * STEP_MS;
    }
    return TrainingSet.builder(List.of("value"), config.windowLength(), 1)
        .addSeries("sine", ts, sine(length, 1)).build();
  }

  /** {@code 10 + 3 sin(2 pi t / 50) + N(0, 0.3)}, one value per record. */
  static double[][] sine(int length, long seed) {
    Random random = new Random(seed);
    double[][] values = new double[length][1];
    for (int t = 0; t < length; t++) {
      values[t][0] = 10 + 3 * Math.sin(2 * Math.PI * t / 50) + 0.3 * random.nextGaussian();
    }
    return values;
  }

  /** {@code count} raw windows of the model's shape, taken from the sine. */
  static float[][] windows(int count, int windowLength) {
    double[][] values = sine(count + windowLength - 1, 2);
    float[][] out = new float[count][windowLength];
    for (int s = 0; s < count; s++) {
      for (int t = 0; t < windowLength; t++) {
        out[s][t] = (float) values[s + t][0];
      }
    }
    return out;
  }

  /**
   * Floating-point operations of the matrix multiplies of one window's score: the encoder once
   * and the decoder once per Monte Carlo sample, 2 per multiply-add. Bias adds, activations and
   * the likelihood are left out, which makes this the arithmetic floor.
   */
  static long flopsPerWindow(VaeConfig config, int mcSamples) {
    long encoder = 0;
    int in = config.windowSize();
    for (int h : config.hiddenSizes()) {
      encoder += (long) in * h;
      in = h;
    }
    encoder += 2L * in * config.latentDim();
    long decoder = 0;
    in = config.latentDim();
    List<Integer> hidden = config.hiddenSizes();
    for (int i = hidden.size() - 1; i >= 0; i--) {
      decoder += (long) in * hidden.get(i);
      in = hidden.get(i);
    }
    decoder += 2L * in * config.windowSize();
    return 2 * (encoder + mcSamples * decoder);
  }
}
