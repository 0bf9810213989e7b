package dev.streamvae.vae;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The scoring pass of a dense VAE with a Gaussian decoder, in plain Java on {@code float[]}: the
 * same maths as {@link VaeNetwork#encode}, {@link VaeNetwork#decode} and the Gaussian
 * log-likelihood, with no ND4J call.
 *
 * <p>Why not ND4J here: at the default shape (32 values per window, hidden [64, 32], k = 4) a
 * window is some 10,000 multiply-adds and 260 tanh/exp values per sample. Measured with JMH
 * (docs/benchmarks.md section 2), ND4J's pass ({@link FusedForward}) cost 6-11x its own GEMMs at
 * batch 256: about a microsecond of per-op machinery per call, a generic-x86 libnd4j tanh/exp at
 * ~9 ns per value, off-heap buffers released on other threads. This pass costs about 2x them.
 *
 * <p>How: windows are scored in blocks of {@value #BLOCK} held feature-major
 * ({@code [unit][window]}), so every inner loop runs over the windows of a block, long enough
 * for HotSpot's C2 to compile it to SIMD instructions (the layers are 4 to 64 units wide, too
 * short for that). A layer is {@code out[o][.] += W[o][i] in[i][.]}, four inputs per pass. tanh
 * and exp are written from operations C2 vectorises ({@link #expInPlace}). The mean and
 * log-variance heads of each side are one layer of twice the width, the soft clamps' {@code 1/c}
 * is folded into the log-variance heads' weights once, and the decoded block becomes per-window
 * sums of {@code (x - mean)^2 exp(-logvar) + logvar} without a {@code [L * B, W * F]} array.
 *
 * <p>Thread-safe: the weights are never written after construction and each thread has its own
 * scratch blocks ({@link ThreadLocal}, some 200 KiB at the default shape), so a call allocates
 * nothing.
 */
final class DenseGaussianKernel {

  /** One dense layer: weight transposed, {@code [nOut][nIn]} row-major, and bias. */
  private record Layer(float[] weight, float[] bias, int nIn, int nOut) {}

  /**
   * Windows per block. Activations are held feature-major, {@code [unit][window]}, so that every
   * loop runs over the windows of a block: long enough for C2's vector loops (the layers here
   * are only 4 to 64 units wide, too short for them), and the block stays in the L1/L2 cache.
   */
  static final int BLOCK = 128;

  /** Per-thread working blocks, {@code [unit][BLOCK]} each, sized for the widest layer. */
  private static final class Scratch {
    final float[] x;
    final float[] a;
    final float[] b;
    final float[] encoded;
    final float[] z;
    final float[] precision;
    final float[] sums;
    /** exp's and tanh's working arrays. */
    final float[] t;
    final float[] u;

    Scratch(int inputSize, int width, int latentDim) {
      x = new float[inputSize * BLOCK];
      a = new float[width * BLOCK];
      b = new float[width * BLOCK];
      encoded = new float[2 * latentDim * BLOCK];
      z = new float[latentDim * BLOCK];
      precision = new float[inputSize * BLOCK];
      sums = new float[BLOCK];
      t = new float[width * BLOCK];
      u = new float[width * BLOCK];
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
    this.scratch = ThreadLocal.withInitial(
        () -> new Scratch(inputSize, scratchWidth, latentDim));
  }

  private static Layer[] hidden(Map<String, INDArray> params, List<Architecture.Dense> layers) {
    Layer[] out = new Layer[layers.size()];
    for (int i = 0; i < out.length; i++) {
      Architecture.Dense d = layers.get(i);
      out[i] = new Layer(transpose(values(params, d.weight()), d.nIn(), d.nOut()),
          values(params, d.bias()), d.nIn(), d.nOut());
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
    return new Layer(transpose(weight, nIn, 2 * nOut), bias, nIn, 2 * nOut);
  }

  private static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = a[r * cols + c];
      }
    }
    return t;
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
    for (int start = 0; start < windows; start += BLOCK) {
      scoreBlock(x, start, Math.min(BLOCK, windows - start), s, mu, termSums);
    }
  }

  private void scoreBlock(float[] x, int start, int rows, Scratch s, float[] mu,
      double[] termSums) {
    int n = inputSize;
    int k = latentDim;
    float[] xt = s.x;
    for (int r = 0; r < rows; r++) {
      int from = (start + r) * n;
      for (int j = 0; j < n; j++) {
        xt[j * BLOCK + r] = x[from + j];
      }
    }
    // Encoder: hidden layers ping-pong between the two scratch blocks.
    float[] in = xt;
    float[] out = s.a;
    for (Layer layer : encoderHidden) {
      dense(in, layer, out, rows);
      tanh(out, 0, layer.nOut(), rows, s);
      in = out;
      out = out == s.a ? s.b : s.a;
    }
    float[] encoded = s.encoded;
    dense(in, encoderHead, encoded, rows);
    for (int j = 0; j < k; j++) {
      for (int r = 0; r < rows; r++) {
        mu[(start + r) * k + j] = encoded[j * BLOCK + r];
      }
    }
    // sigma = exp(logvar / 2), logvar = c tanh(raw / c); the head already holds raw / c.
    tanh(encoded, k, k, rows, s);
    float halfLimit = 0.5f * encoderLimit;
    for (int j = k * BLOCK; j < 2 * k * BLOCK; j++) {
      encoded[j] *= halfLimit;
    }
    exp(encoded, k, k, rows, s);
    float[] z = s.z;
    float[] sums = s.sums;
    for (int r = 0; r < rows; r++) {
      termSums[start + r] = 0;
    }
    for (int sample = 0; sample < mcSamples; sample++) {
      for (int j = 0; j < k; j++) {
        float e = eps[sample * k + j];
        int meanRow = j * BLOCK;
        int sigmaRow = (k + j) * BLOCK;
        for (int r = 0; r < rows; r++) {
          z[meanRow + r] = encoded[meanRow + r] + encoded[sigmaRow + r] * e;
        }
      }
      in = z;
      out = s.a;
      for (Layer layer : decoderHidden) {
        dense(in, layer, out, rows);
        tanh(out, 0, layer.nOut(), rows, s);
        in = out;
        out = out == s.a ? s.b : s.a;
      }
      dense(in, decoderHead, out, rows);
      gaussianTerms(xt, out, rows, s);
      for (int r = 0; r < rows; r++) {
        termSums[start + r] += sums[r];
      }
    }
  }

  /**
   * Per window r, {@code s.sums[r] = sum_j (x_j - mean_j)^2 exp(-v_j) + v_j} with
   * {@code v = c tanh(head[n + j])}, over a decoded block {@code head = [mean | raw logvar / c]}.
   * Overwrites the head's second half with v.
   */
  private void gaussianTerms(float[] xt, float[] head, int rows, Scratch s) {
    int n = inputSize;
    float c = decoderLimit;
    float[] precision = s.precision;
    tanh(head, n, n, rows, s);
    for (int j = n * BLOCK; j < 2 * n * BLOCK; j++) {
      head[j] *= c;
      precision[j - n * BLOCK] = -head[j];
    }
    exp(precision, 0, n, rows, s);
    float[] sums = s.sums;
    java.util.Arrays.fill(sums, 0, rows, 0f);
    for (int j = 0; j < n; j++) {
      int row = j * BLOCK;
      int logVarRow = (n + j) * BLOCK;
      for (int r = 0; r < rows; r++) {
        float d = xt[row + r] - head[row + r];
        sums[r] += d * d * precision[row + r] + head[logVarRow + r];
      }
    }
  }

  /**
   * {@code out[o][r] = bias[o] + sum_i W[o][i] in[i][r]} over a block of {@code rows} windows.
   * Four inputs per pass over the block: the accumulator row is read and written a quarter as
   * often as with one.
   */
  private static void dense(float[] in, Layer layer, float[] out, int rows) {
    int nIn = layer.nIn();
    float[] w = layer.weight();
    for (int o = 0; o < layer.nOut(); o++) {
      int outRow = o * BLOCK;
      int wRow = o * nIn;
      float bias = layer.bias()[o];
      int i = 0;
      if (nIn >= 4) {
        float w0 = w[wRow];
        float w1 = w[wRow + 1];
        float w2 = w[wRow + 2];
        float w3 = w[wRow + 3];
        for (int r = 0; r < rows; r++) {
          out[outRow + r] = bias + w0 * in[r] + w1 * in[BLOCK + r] + w2 * in[2 * BLOCK + r]
              + w3 * in[3 * BLOCK + r];
        }
        i = 4;
      } else {
        for (int r = 0; r < rows; r++) {
          out[outRow + r] = bias;
        }
      }
      for (; i + 3 < nIn; i += 4) {
        float w0 = w[wRow + i];
        float w1 = w[wRow + i + 1];
        float w2 = w[wRow + i + 2];
        float w3 = w[wRow + i + 3];
        int i0 = i * BLOCK;
        int i1 = i0 + BLOCK;
        int i2 = i1 + BLOCK;
        int i3 = i2 + BLOCK;
        for (int r = 0; r < rows; r++) {
          out[outRow + r] += w0 * in[i0 + r] + w1 * in[i1 + r] + w2 * in[i2 + r]
              + w3 * in[i3 + r];
        }
      }
      for (; i < nIn; i++) {
        float wi = w[wRow + i];
        int inRow = i * BLOCK;
        for (int r = 0; r < rows; r++) {
          out[outRow + r] += wi * in[inRow + r];
        }
      }
    }
  }

  /**
   * tanh in place over units {@code first .. first + units} of a block, the first {@code rows}
   * windows of each: one pass over the whole stretch when the block is full.
   */
  private static void tanh(float[] block, int first, int units, int rows, Scratch s) {
    if (rows == BLOCK) {
      tanhInPlace(block, first * BLOCK, units * BLOCK, s.t, s.u);
    } else {
      for (int o = first; o < first + units; o++) {
        tanhInPlace(block, o * BLOCK, rows, s.t, s.u);
      }
    }
  }

  /** exp in place, as {@link #tanh(float[], int, int, int, Scratch)}. */
  private static void exp(float[] block, int first, int units, int rows, Scratch s) {
    if (rows == BLOCK) {
      expInPlace(block, first * BLOCK, units * BLOCK, s.t, s.u);
    } else {
      for (int o = first; o < first + units; o++) {
        expInPlace(block, o * BLOCK, rows, s.t, s.u);
      }
    }
  }

  // exp and tanh in float, from additions, multiplications, one division and min/max only:
  // C2 (JDK 17) vectorises those, but not a float's bits moved to an int and back, which the
  // usual construction of 2^n needs, so 2^n is built from its binary digits instead. C2 also
  // vectorises only loops it unrolls, and it unrolls only small loop bodies, so the array forms
  // below run as several short passes over the same (cache-resident) stretch.

  private static final float LOG2_E = 1.44269504f;
  /** ln 2 split so that {@code n * LN2_HI} is exact for the exponents in range. */
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;
  /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer. */
  private static final float ROUND = 12582912f;
  /** Exponents n of 2^n are offset by this into [0, 64): six binary digits. */
  private static final float EXPONENT_OFFSET = 32f;
  private static final float TWO_TO_MINUS_OFFSET = 0x1p-32f;
  /** Arguments of {@link #exp} are clamped to this range, where n stays in [-32, 31]. */
  static final float EXP_MIN = -21.8f;
  static final float EXP_MAX = 21.4f;
  /** Beyond this |x|, tanh(x) is 1 in float (1 - tanh(x) < 2^-25). */
  private static final float TANH_SATURATION = 9.5f;

  /**
   * {@code e^x} in float for x in [{@value #EXP_MIN}, {@value #EXP_MAX}] (arguments outside are
   * clamped), relative error a few units in the last place. The scoring pass needs no more: its
   * arguments are bounded by the soft clamps (|logvar| below 10) and by {@link #tanh}'s.
   * The scalar form of {@link #expInPlace}, for tests and the odd value.
   */
  static float exp(float x) {
    float[] a = {x};
    expInPlace(a, 0, 1, new float[1], new float[1]);
    return a[0];
  }

  /** {@code tanh(x) = 1 - 2 / (1 + e^(2x))}: absolute error about 1e-7. */
  static float tanh(float x) {
    float[] a = {x};
    tanhInPlace(a, 0, 1, new float[1], new float[1]);
    return a[0];
  }

  /**
   * {@code a[i] = e^a[i]} for i in {@code [from, from + length)}; {@code t} and {@code u} are
   * scratch of at least {@code from + length} values.
   */
  static void expInPlace(float[] a, int from, int length, float[] t, float[] u) {
    int to = from + length;
    // n = round(x / ln 2), r = x - n ln 2 (|r| <= ln(2) / 2), so e^x = e^r 2^n.
    for (int i = from; i < to; i++) {
      float x = Math.max(EXP_MIN, Math.min(EXP_MAX, a[i]));
      float n = (x * LOG2_E + ROUND) - ROUND;
      a[i] = x - n * LN2_HI - n * LN2_LO;
      t[i] = n + EXPONENT_OFFSET;
    }
    // e^r by its Taylor series to r^7 (remainder below 1e-8 relative).
    for (int i = from; i < to; i++) {
      float r = a[i];
      a[i] = 1f + r * (1f + r * (0.5f + r * (1f / 6 + r * (1f / 24 + r * (1f / 120
          + r * (1f / 720 + r * (1f / 5040)))))));
    }
    // 2^(n + 32) as the product over its six binary digits d_b of (1 + d_b (2^(2^b) - 1)), with
    // d = m - 2 floor(m / 2) and floor(m / 2) = round(m / 2 - 1/4) for integer m. Exact.
    for (int i = from; i < to; i++) {
      float m = t[i];
      float h = ((m * 0.5f - 0.25f) + ROUND) - ROUND;
      float scale = 1f + (m - 2f * h);
      m = h;
      h = ((m * 0.5f - 0.25f) + ROUND) - ROUND;
      u[i] = scale * (1f + (m - 2f * h) * 3f);
      t[i] = h;
    }
    for (int i = from; i < to; i++) {
      float m = t[i];
      float h = ((m * 0.5f - 0.25f) + ROUND) - ROUND;
      float scale = 1f + (m - 2f * h) * 15f;
      m = h;
      h = ((m * 0.5f - 0.25f) + ROUND) - ROUND;
      u[i] *= scale * (1f + (m - 2f * h) * 255f);
      t[i] = h;
    }
    for (int i = from; i < to; i++) {
      float m = t[i];
      float h = ((m * 0.5f - 0.25f) + ROUND) - ROUND;
      // The last digit h is 0 or 1; 2^32 - 1 is not a float, so (1 - h) + h 2^32.
      float scale = (1f + (m - 2f * h) * 65535f) * ((1f - h) + h * 0x1p32f);
      a[i] *= u[i] * scale * TWO_TO_MINUS_OFFSET;
    }
  }

  /** {@code a[i] = tanh(a[i])} over {@code [from, from + length)}; scratch as for exp. */
  static void tanhInPlace(float[] a, int from, int length, float[] t, float[] u) {
    int to = from + length;
    for (int i = from; i < to; i++) {
      a[i] = 2f * Math.max(-TANH_SATURATION, Math.min(TANH_SATURATION, a[i]));
    }
    expInPlace(a, from, length, t, u);
    for (int i = from; i < to; i++) {
      a[i] = 1f - 2f / (1f + a[i]);
    }
  }
}
