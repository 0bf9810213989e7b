package dev.streamvae.vae;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The scoring pass of a dense VAE with a Gaussian decoder, in plain Java on {@code float[]}: the
 * same maths as {@link VaeNetwork#encode}, {@link VaeNetwork#decode} and the Gaussian
 * log-likelihood, one window at a time, with no ND4J call.
 *
 * <p>Why not ND4J here: at the default shape (32 values per window, hidden [64, 32], k = 4) a
 * window is some 10,000 multiply-adds and 260 tanh/exp values. Measured with JMH
 * (docs/benchmarks.md section 2), ND4J's path spent 8x the time of its own GEMMs on it: about a
 * microsecond of per-op machinery per call, a generic-x86 libnd4j tanh/exp at ~9 ns per value,
 * and off-heap buffers released on other threads. Here every layer is a loop over the output
 * units with the weights laid out {@code [nIn][nOut]}, which HotSpot's C2 compiles to SIMD
 * multiply-adds, and tanh/exp are short polynomial forms written so that C2 vectorises them too.
 *
 * <p>Fused as follows: the mean and log-variance heads of each side are one layer of twice the
 * width; the soft clamps' {@code 1 / c} is folded into the log-variance heads' weights once;
 * bias, tanh, {@code z = mu + sigma eps}, {@code x - mean}, the precision and the per-value terms
 * run in the loops that produce their inputs; nothing of size {@code [L * B, W * F]} exists.
 *
 * <p>Thread-safe: the weights are never written after construction and each thread has its own
 * scratch rows ({@link ThreadLocal}, a few KiB), so a call allocates nothing.
 */
final class DenseGaussianKernel {

  /** One dense layer: weight {@code [nIn][nOut]} row-major and bias {@code [nOut]}. */
  private record Layer(float[] weight, float[] bias, int nIn, int nOut) {}

  /** Per-thread working rows, each as wide as the widest layer. */
  private static final class Scratch {
    final float[] a;
    final float[] b;
    final float[] encoded;
    final float[] z;

    Scratch(int width, int latentDim) {
      a = new float[width];
      b = new float[width];
      encoded = new float[2 * latentDim];
      z = new float[latentDim];
    }
  }

  private final int inputSize;
  private final int latentDim;
  private final int mcSamples;
  private final Layer[] encoderHidden;
  /** {@code [mu | raw logvar / c]}, 2k wide. */
  private final Layer encoderHead;
  private final float encoderLimit;
  private final Layer[] decoderHidden;
  /** {@code [mean | raw logvar / c]}, 2n wide. */
  private final Layer decoderHead;
  private final float decoderLimit;
  private final float[] eps;
  private final ThreadLocal<Scratch> scratch;

  /**
   * @param eps the model's fixed {@code [L, k]} standard-normal draws, row-major
   */
  DenseGaussianKernel(Architecture arch, Map<String, INDArray> params, float[] eps) {
    this.inputSize = arch.inputSize();
    this.latentDim = arch.latentDim();
    this.encoderLimit = arch.encoderLogVarLimit();
    this.decoderLimit = arch.decoderLogVarLimit();
    this.encoderHidden = hidden(params, arch.encoderHidden());
    this.encoderHead = head(params, arch.encoderMu(), arch.encoderLogVar(), 1f / encoderLimit);
    this.decoderHidden = hidden(params, arch.decoderHidden());
    this.decoderHead = head(params, arch.decoderMu(), arch.decoderLogVar(), 1f / decoderLimit);
    if (eps.length == 0 || eps.length % latentDim != 0) {
      throw new IllegalArgumentException("noise matrix of " + eps.length
          + " values is not [L, " + latentDim + "]");
    }
    this.eps = eps.clone();
    this.mcSamples = eps.length / latentDim;
    int width = Math.max(encoderHead.nOut(), decoderHead.nOut());
    for (Architecture.Dense d : arch.allLayers()) {
      width = Math.max(width, d.nOut());
    }
    int scratchWidth = width;
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(scratchWidth, latentDim));
  }

  private static Layer[] hidden(Map<String, INDArray> params, List<Architecture.Dense> layers) {
    Layer[] out = new Layer[layers.size()];
    for (int i = 0; i < out.length; i++) {
      Architecture.Dense d = layers.get(i);
      out[i] = new Layer(values(params, d.weight()), values(params, d.bias()), d.nIn(),
          d.nOut());
    }
    return out;
  }

  /** The two heads side by side: {@code [first | second * scale]}, {@code 2 nOut} wide. */
  private static Layer head(Map<String, INDArray> params, Architecture.Dense first,
      Architecture.Dense second, float secondScale) {
    int nIn = first.nIn();
    int nOut = first.nOut();
    float[] w1 = values(params, first.weight());
    float[] w2 = values(params, second.weight());
    float[] b1 = values(params, first.bias());
    float[] b2 = values(params, second.bias());
    float[] weight = new float[nIn * 2 * nOut];
    float[] bias = new float[2 * nOut];
    for (int i = 0; i < nIn; i++) {
      for (int o = 0; o < nOut; o++) {
        weight[i * 2 * nOut + o] = w1[i * nOut + o];
        weight[i * 2 * nOut + nOut + o] = w2[i * nOut + o] * secondScale;
      }
    }
    for (int o = 0; o < nOut; o++) {
      bias[o] = b1[o];
      bias[nOut + o] = b2[o] * secondScale;
    }
    return new Layer(weight, bias, nIn, 2 * nOut);
  }

  /** Row-major values of a weight array ({@code [nIn, nOut]} or {@code [1, nOut]}). */
  private static float[] values(Map<String, INDArray> params, String name) {
    INDArray a = params.get(name);
    if (a == null) {
      throw new IllegalArgumentException("weight array " + name + " missing");
    }
    return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
  }

  /** Monte Carlo samples L. */
  int mcSamples() {
    return mcSamples;
  }

  /**
   * Scores normalised windows.
   *
   * @param x {@code [windows, n]} row-major normalised windows, none with a missing value
   * @param windows how many rows of {@code x} to score
   * @param mu receives the encoder means, {@code windows * k}, row-major
   * @param termSums receives, per window, the sum over the L samples and the n values of
   *     {@code (x - mean)^2 exp(-logvar) + logvar}: the window's log-probability is
   *     {@code -0.5 (termSums / L + n log 2 pi)}
   */
  void score(float[] x, int windows, float[] mu, double[] termSums) {
    Scratch s = scratch.get();
    int n = inputSize;
    int k = latentDim;
    float[] encoded = s.encoded;
    float[] z = s.z;
    for (int i = 0; i < windows; i++) {
      // Encoder: hidden layers ping-pong between the two scratch rows.
      float[] in = x;
      int inOffset = i * n;
      float[] out = s.a;
      for (Layer layer : encoderHidden) {
        denseTanh(in, inOffset, layer, out);
        in = out;
        inOffset = 0;
        out = out == s.a ? s.b : s.a;
      }
      dense(in, inOffset, encoderHead, encoded);
      for (int j = 0; j < k; j++) {
        mu[i * k + j] = encoded[j];
        // sigma = exp(logvar / 2), logvar = c tanh(raw / c); the head already holds raw / c.
        encoded[k + j] = exp(0.5f * encoderLimit * tanh(encoded[k + j]));
      }
      double windowSum = 0;
      for (int sample = 0; sample < mcSamples; sample++) {
        for (int j = 0; j < k; j++) {
          z[j] = encoded[j] + encoded[k + j] * eps[sample * k + j];
        }
        float[] dIn = z;
        float[] dOut = s.a;
        for (Layer layer : decoderHidden) {
          denseTanh(dIn, 0, layer, dOut);
          dIn = dOut;
          dOut = dOut == s.a ? s.b : s.a;
        }
        dense(dIn, 0, decoderHead, dOut);
        windowSum += gaussianTerms(x, i * n, dOut, n, decoderLimit);
      }
      termSums[i] = windowSum;
    }
  }

  /**
   * {@code sum_j (x_j - mean_j)^2 exp(-v_j) + v_j}, {@code v = c tanh(head[n + j])}, over one
   * decoded row {@code head = [mean | raw logvar / c]}. Overwrites the head's second half.
   */
  private static float gaussianTerms(float[] x, int xOffset, float[] head, int n, float c) {
    for (int j = 0; j < n; j++) {
      float v = c * tanh(head[n + j]);
      float d = x[xOffset + j] - head[j];
      head[n + j] = d * d * exp(-v) + v;
    }
    // Four running sums: a float sum is not reassociated by the JIT, and one chain of n
    // dependent adds would cost more than the terms above.
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += head[n + j];
      s1 += head[n + j + 1];
      s2 += head[n + j + 2];
      s3 += head[n + j + 3];
    }
    for (; j < n; j++) {
      s0 += head[n + j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code out = in W + bias} for one row. The inner loop runs over the output units. */
  private static void dense(float[] in, int inOffset, Layer layer, float[] out) {
    int nOut = layer.nOut();
    float[] w = layer.weight();
    System.arraycopy(layer.bias(), 0, out, 0, nOut);
    for (int i = 0; i < layer.nIn(); i++) {
      float xi = in[inOffset + i];
      int row = i * nOut;
      for (int o = 0; o < nOut; o++) {
        out[o] += xi * w[row + o];
      }
    }
  }

  private static void denseTanh(float[] in, int inOffset, Layer layer, float[] out) {
    dense(in, inOffset, layer, out);
    for (int o = 0; o < layer.nOut(); o++) {
      out[o] = tanh(out[o]);
    }
  }

  // exp and tanh in float, branch-free, from operations C2 can vectorise.

  private static final float LOG2_E = 1.44269504f;
  /** ln 2 split so that {@code n * LN2_HI} is exact for the exponents in range. */
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;
  /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer. */
  private static final float ROUND = 12582912f;

  /**
   * {@code e^x} in float, relative error a few units in the last place; arguments are clamped
   * to [-87, 88], where the result stays a normal float (outside it: 2^-126 .. 2^127 scale).
   */
  static float exp(float x) {
    float clamped = Math.max(-87f, Math.min(88f, x));
    float t = clamped * LOG2_E + ROUND;
    float n = t - ROUND;
    float r = clamped - n * LN2_HI - n * LN2_LO;
    // e^r for |r| <= ln(2)/2 by its Taylor series to r^7 (remainder below 1e-8).
    float p = 1f + r * (1f + r * (0.5f + r * (1f / 6 + r * (1f / 24 + r * (1f / 120
        + r * (1f / 720 + r * (1f / 5040)))))));
    // 2^n from the rounded value's low mantissa bits: (n + 127) << 23 is the float 2^n.
    return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) + 127) << 23);
  }

  /** {@code tanh(x) = 1 - 2 / (1 + e^(2x))}: absolute error about 1e-7. */
  static float tanh(float x) {
    return 1f - 2f / (1f + exp(2f * x));
  }
}
