package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pure-Java scoring pass against the layer-by-layer maths in double precision and against
 * ND4J's pass, on a trained model and on random networks of other shapes (several hidden layers,
 * several features, a one-dimensional latent space, weights large enough to saturate tanh and
 * both soft clamps).
 */
class DenseGaussianKernelTest {

  /**
   * Float rounding over some 10,000 multiply-adds and a log-probability that is a difference of
   * sums some ten times its size (measured: up to 2e-6 between the two float passes); ten times
   * inside the envelope check's 1e-4.
   */
  private static final double RELATIVE = 1e-5;

  @Test
  void trainedModelScoresEqualTheLayerByLayerMathsAndNd4jsPass() {
    AnomalyModel model = Synthetic.sineModel().model();
    assertThat(model.usesJavaKernel()).isTrue();
    float[][] windows = Synthetic.windows(Synthetic.sine(400, 42), Synthetic.WINDOW);
    windows[5][10] += 25;
    windows[40][0] -= 1e4f;
    ScoreBatch java = model.score(windows);
    ScoreBatch nd4j = withKernel("nd4j", () -> model.withThreshold(model.threshold()))
        .score(windows);
    for (int i = 0; i < windows.length; i++) {
      assertThat(java.logProbability(i)).as("window %d against ND4J", i)
          .isCloseTo(nd4j.logProbability(i), within(tolerance(nd4j.logProbability(i))));
      assertThat(java.latentMean(i)).containsExactly(nd4j.latentMean(i),
          within(1e-5f * 10));
    }
    for (int i : new int[] {0, 5, 6, 40, 77, windows.length - 1}) {
      double reference = doubleReference(model, windows[i]);
      assertThat(java.logProbability(i)).as("window %d against the reference", i)
          .isCloseTo(reference, within(tolerance(reference)));
    }
    assertThat(java.logProbability(5)).isLessThan(java.logProbability(6) - 10);
  }

  @Test
  void randomNetworksOfOtherShapesScoreAsTheLayerByLayerMaths() {
    // relative: what float rounding allows. With weights of scale 3 the decoder's precision sits
    // at its clamp (e^7) and pre-activations are large, which amplifies the float rounding of
    // any float pass: ND4J's deviates from the double reference by up to 1e-5 there too.
    record Shape(int window, int features, List<Integer> hidden, int latent, int samples,
        float weightScale, double relative) {}
    List<Shape> shapes = List.of(
        new Shape(32, 1, List.of(64, 32), 4, 8, 0.3f, RELATIVE),
        new Shape(10, 3, List.of(40, 20, 7), 1, 3, 0.5f, RELATIVE),
        new Shape(5, 2, List.of(9), 2, 1, 3f, 3e-5));
    Random random = new Random(5);
    for (Shape shape : shapes) {
      AnomalyModel model = randomModel(shape.window(), shape.features(), shape.hidden(),
          shape.latent(), shape.samples(), shape.weightScale(), random);
      float[][] windows = new float[300][shape.window() * shape.features()];
      for (float[] w : windows) {
        for (int j = 0; j < w.length; j++) {
          w[j] = (float) (random.nextGaussian() * (1 + j % 3));
        }
      }
      ScoreBatch java = model.score(windows);
      for (int i = 0; i < windows.length; i += 13) {
        double reference = doubleReference(model, windows[i]);
        assertThat(java.logProbability(i)).as("%s window %d", shape, i)
            .isCloseTo(reference, within(shape.relative() * Math.max(1, Math.abs(reference))));
      }
    }
  }

  @Test
  void contributionsEqualNd4jsAndSumToTheAnomalyScore() {
    Random random = new Random(21);
    AnomalyModel model = randomModel(12, 3, List.of(30, 10), 2, 8, 0.5f, random);
    AnomalyModel nd4j = withKernel("nd4j", () -> model.withThreshold(0));
    float[][] windows = new float[40][36];
    for (float[] w : windows) {
      for (int j = 0; j < w.length; j++) {
        w[j] = (float) random.nextGaussian();
      }
    }
    windows[7][4] += 30;
    double[][] java = model.contributions(windows);
    double[][] reference = nd4j.contributions(windows);
    ScoreBatch scores = model.score(windows);
    for (int i = 0; i < windows.length; i++) {
      double total = 0;
      for (int f = 0; f < 3; f++) {
        assertThat(java[i][f]).as("window %d feature %d", i, f)
            .isCloseTo(reference[i][f], within(tolerance(reference[i][f])));
        total += java[i][f];
      }
      assertThat(total).isCloseTo(scores.anomalyScore(i),
          within(tolerance(scores.anomalyScore(i))));
    }
    // Window 7's outlier is in feature 1 (value 4 of a time-major window of 3 features).
    assertThat(java[7][1]).isGreaterThan(java[7][0] + 10).isGreaterThan(java[7][2] + 10);
  }

  @Test
  void aChunkWithAMissingValueFallsBackWithoutChangingItsNeighboursScores() {
    AnomalyModel model = Synthetic.sineModel().model();
    float[][] windows = Synthetic.windows(Synthetic.sine(AnomalyModel.MAX_CHUNK + 400, 3),
        Synthetic.WINDOW);
    double[] alone = new double[windows.length];
    for (int i = 0; i < windows.length; i++) {
      alone[i] = model.score(new float[][] {windows[i]}).logProbability(0);
    }
    // The second chunk holds a window with one missing value: that chunk takes ND4J's masked
    // path, the first stays on the Java pass; every other window keeps its score.
    int masked = AnomalyModel.MAX_CHUNK + 10;
    windows[masked][3] = Float.NaN;
    ScoreBatch mixed = model.score(windows);
    for (int i = 0; i < windows.length; i++) {
      if (i != masked) {
        assertThat(mixed.logProbability(i)).as("window %d", i)
            .isCloseTo(alone[i], within(tolerance(alone[i])));
      }
    }
  }

  @Test
  void expAndTanhAreAccurateOverTheRangeTheScoresUse() {
    for (double x = DenseGaussianKernel.EXP_MIN; x <= DenseGaussianKernel.EXP_MAX;
        x += 0.00137) {
      float f = (float) x;
      double expected = Math.exp(f);
      assertThat((double) DenseGaussianKernel.exp(f)).as("exp(%s)", f)
          .isCloseTo(expected, within(4e-7 * expected));
    }
    for (double x = -20; x <= 20; x += 0.00093) {
      float f = (float) x;
      assertThat((double) DenseGaussianKernel.tanh(f)).as("tanh(%s)", f)
          .isCloseTo(Math.tanh(f), within(2.5e-7));
    }
    // Outside exp's range the argument is clamped; tanh saturates to exactly +-1.
    assertThat(DenseGaussianKernel.exp(-1000f)).isEqualTo(DenseGaussianKernel.exp(
        DenseGaussianKernel.EXP_MIN));
    assertThat(DenseGaussianKernel.exp(1000f)).isEqualTo(DenseGaussianKernel.exp(
        DenseGaussianKernel.EXP_MAX));
    assertThat(DenseGaussianKernel.tanh(1000f)).isEqualTo(1f);
    assertThat(DenseGaussianKernel.tanh(-1000f)).isEqualTo(-1f);
    assertThat(DenseGaussianKernel.tanh(0f)).isEqualTo(0f);
  }

  @Test
  void theArrayFormsAgreeWithTheScalarOnesOnLongAndOddLengths() {
    Random random = new Random(9);
    float[] values = new float[1000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * 6);
    }
    float[] t = new float[values.length];
    float[] u = new float[values.length];
    float[] exp = values.clone();
    DenseGaussianKernel.expInPlace(exp, 3, 997, t, u);
    float[] tanh = values.clone();
    DenseGaussianKernel.tanhInPlace(tanh, 0, 999, t, u);
    for (int i = 0; i < values.length; i++) {
      assertThat(exp[i]).isEqualTo(i < 3 ? values[i] : DenseGaussianKernel.exp(values[i]));
      assertThat(tanh[i]).isEqualTo(i < 999 ? DenseGaussianKernel.tanh(values[i]) : values[i]);
    }
  }

  /**
   * The log-probability of one raw window computed in double precision throughout: the dense
   * layers, tanh, the soft clamps, the samples and the Gaussian log-density, straight from the
   * network's weight arrays.
   */
  static double doubleReference(AnomalyModel model, float[] raw) {
    int n = raw.length;
    int k = model.latentDim();
    float[] normalised = new float[n];
    model.normaliser().normalise(raw, normalised, 0);
    double[] x = new double[n];
    for (int j = 0; j < n; j++) {
      x[j] = normalised[j];
    }
    VaeNetwork network = model.network();
    Architecture arch = network.architecture();
    Map<String, INDArray> params = network.params();
    double[] h = x;
    for (Architecture.Dense d : arch.encoderHidden()) {
      h = tanh(dense(h, d, params));
    }
    double[] mu = dense(h, arch.encoderMu(), params);
    double[] logVar = clamp(dense(h, arch.encoderLogVar(), params), arch.encoderLogVarLimit());
    float[] eps = model.eps();
    int samples = eps.length / k;
    double sum = 0;
    for (int s = 0; s < samples; s++) {
      double[] z = new double[k];
      for (int j = 0; j < k; j++) {
        z[j] = mu[j] + Math.exp(0.5 * logVar[j]) * eps[s * k + j];
      }
      double[] g = z;
      for (Architecture.Dense d : arch.decoderHidden()) {
        g = tanh(dense(g, d, params));
      }
      double[] mean = dense(g, arch.decoderMu(), params);
      double[] decLogVar = clamp(dense(g, arch.decoderLogVar(), params),
          arch.decoderLogVarLimit());
      for (int j = 0; j < n; j++) {
        double diff = x[j] - mean[j];
        sum += -0.5 * (Math.log(2 * Math.PI) + decLogVar[j]
            + diff * diff * Math.exp(-decLogVar[j]));
      }
    }
    return sum / samples;
  }

  private static double[] dense(double[] in, Architecture.Dense d, Map<String, INDArray> params) {
    double[] w = params.get(d.weight()).castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] b = params.get(d.bias()).castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] out = b.clone();
    for (int i = 0; i < d.nIn(); i++) {
      for (int o = 0; o < d.nOut(); o++) {
        out[o] += in[i] * w[i * d.nOut() + o];
      }
    }
    return out;
  }

  private static double[] tanh(double[] v) {
    double[] out = new double[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = Math.tanh(v[j]);
    }
    return out;
  }

  private static double[] clamp(double[] v, double limit) {
    double[] out = new double[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = limit * Math.tanh(v[j] / limit);
    }
    return out;
  }

  private static double tolerance(double reference) {
    return RELATIVE * Math.max(1, Math.abs(reference));
  }

  private static AnomalyModel randomModel(int window, int features, List<Integer> hidden,
      int latent, int samples, float weightScale, Random random) {
    Architecture arch = new Architecture(window * features, hidden, latent,
        Architecture.DEFAULT_ENCODER_LOGVAR_LIMIT, Architecture.DEFAULT_DECODER_LOGVAR_LIMIT);
    Map<String, INDArray> params = new LinkedHashMap<>();
    for (Architecture.Dense d : arch.allLayers()) {
      params.put(d.weight(), gaussian(random, weightScale / Math.sqrt(d.nIn()) * 3, d.nIn(),
          d.nOut()));
      params.put(d.bias(), gaussian(random, weightScale, 1, d.nOut()));
    }
    float[] means = new float[features];
    float[] stds = new float[features];
    List<String> names = new java.util.ArrayList<>();
    for (int f = 0; f < features; f++) {
      means[f] = (float) random.nextGaussian();
      stds[f] = 0.5f + f;
      names.add("m" + f);
    }
    float[] eps = new float[samples * latent];
    for (int j = 0; j < eps.length; j++) {
      eps[j] = (float) random.nextGaussian();
    }
    return new AnomalyModel(names, window, 0, new Normaliser(means, stds),
        new VaeNetwork(arch, params), eps);
  }

  private static INDArray gaussian(Random random, double scale, int rows, int cols) {
    float[] v = new float[rows * cols];
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) (random.nextGaussian() * scale);
    }
    return Nd4j.create(v, new long[] {rows, cols}, 'c').castTo(DataType.FLOAT);
  }

  static <T> T withKernel(String kernel, Supplier<T> build) {
    String before = System.getProperty(AnomalyModel.KERNEL_PROPERTY);
    System.setProperty(AnomalyModel.KERNEL_PROPERTY, kernel);
    try {
      return build.get();
    } finally {
      if (before == null) {
        System.clearProperty(AnomalyModel.KERNEL_PROPERTY);
      } else {
        System.setProperty(AnomalyModel.KERNEL_PROPERTY, before);
      }
    }
  }
}
