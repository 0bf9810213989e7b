package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused scoring pass against the textbook one: {@link VaeNetwork#encode} and
 * {@link VaeNetwork#decode} (the maths the SameDiff training graph is tested against), then the
 * Gaussian log-likelihood written out term by term in double precision. ({@link FusedForward}
 * is the pass of {@code -Dstreamvae.scoring.kernel=nd4j}; the default is
 * {@link DenseGaussianKernel}, tested against the same reference in its own test.)
 */
class FusedForwardTest {

  @Test
  void scoresEqualTheLayerByLayerMaths() {
    AnomalyModel trained = Synthetic.sineModel().model();
    AnomalyModel model = DenseGaussianKernelTest.withKernel("nd4j",
        () -> trained.withThreshold(trained.threshold()));
    assertThat(model.usesJavaKernel()).isFalse();
    float[][] windows = Synthetic.windows(Synthetic.sine(300, 42), Synthetic.WINDOW);
    // An outlier too, so the comparison covers scores far from the training ones.
    windows[5][10] += 25;
    ScoreBatch fused = model.score(windows);
    for (int i = 0; i < windows.length; i += 7) {
      double reference = referenceLogProbability(model, windows[i]);
      assertThat(fused.logProbability(i)).as("window %d", i)
          .isCloseTo(reference, within(1e-3 * Math.max(1, Math.abs(reference))));
    }
    double outlier = referenceLogProbability(model, windows[5]);
    assertThat(fused.logProbability(5)).isCloseTo(outlier, within(1e-3 * Math.abs(outlier)));
    assertThat(fused.logProbability(5)).isLessThan(fused.logProbability(6) - 10);
  }

  static double referenceLogProbability(AnomalyModel model, float[] raw) {
    int n = raw.length;
    int k = model.latentDim();
    float[] x = new float[n];
    model.normaliser().normalise(raw, x, 0);
    INDArray[] enc = model.network().encode(Nd4j.create(x, new long[] {1, n}, 'c'));
    double[] mu = enc[0].castTo(DataType.DOUBLE).dup('c').toDoubleVector();
    double[] logVar = enc[1].castTo(DataType.DOUBLE).dup('c').toDoubleVector();
    float[] eps = model.eps();
    int l = eps.length / k;
    double sum = 0;
    for (int s = 0; s < l; s++) {
      float[] z = new float[k];
      for (int j = 0; j < k; j++) {
        z[j] = (float) (mu[j] + Math.exp(0.5 * logVar[j]) * eps[s * k + j]);
      }
      INDArray[] dec = model.network().decode(Nd4j.create(z, new long[] {1, k}, 'c'));
      double[] mean = dec[0].castTo(DataType.DOUBLE).dup('c').toDoubleVector();
      double[] decLogVar = dec[1].castTo(DataType.DOUBLE).dup('c').toDoubleVector();
      double logP = 0;
      for (int j = 0; j < n; j++) {
        double d = x[j] - mean[j];
        logP += -0.5 * (Math.log(2 * Math.PI) + decLogVar[j] + d * d * Math.exp(-decLogVar[j]));
      }
      sum += logP;
    }
    return sum / l;
  }
}
