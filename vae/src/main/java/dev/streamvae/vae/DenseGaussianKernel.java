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
 * <p>Why not ND4J here: at the shape that was the default when this was measured (32 values per
 * window, hidden [64, 32], k = 4; [32, 16] since 2026-12-03) a
 * window is some 10,000 multiply-adds and 260 tanh/exp values per sample. Measured with JMH
 * (docs/benchmarks.md section 2), ND4J's pass ({@link FusedForward}) cost 7-12x its own GEMMs at
 * batch 256: about a microsecond of per-op machinery per call, a generic-x86 libnd4j tanh/exp at
 * ~9 ns per value, off-heap buffers released on other threads. This pass costs less than ND4J's
 * GEMMs alone at L = 1 and under 3x them at L = 8.
 *
 * <p>How: windows are scored in blocks of {@value #BLOCK} held feature-major, one
 * {@code float[]} per unit ({@code [unit][window]}), so every inner loop runs over the windows
 * of a block with the same index into each array: long enough, and simple enough, for HotSpot's
 * C2 to compile to SIMD instructions (the layers are only 4 to 64 units wide, too short for
 * that, and C2 in JDK 17 does not vectorise a loop over two offsets into one array). The
 * decoder takes the L samples of several windows side by side, so its loops stay long for
 * small batches. A layer is {@code out[o][.] += W[o][i] in[i][.]}, four inputs per pass. tanh
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

  /**
   * Per-thread working blocks, {@code [unit][stride]}, one array per unit: C2 vectorises a loop
   * over {@code a[r]} and {@code b[r]} of two arrays, but not over {@code a[i + r]} and
   * {@code a[j + r]} with different offsets, which it cannot prove independent. The stride is
   * {@code max(BLOCK, L)}: a decoder block holds every sample of its windows.
   */
  private static final class Scratch {
    final float[][] x;
    final float[][] decoderX;
    final float[][] a;
    final float[][] b;
    final float[][] encoded;
    final float[][] z;
    final float[][] precision;
    final float[] sums;
    /** exp's and tanh's working arrays. */
    final float[] t;
    final float[] u;
    /** Per-feature sums of the decoded rows, for {@code contributions}; grown on first use. */
    float[][] featureSums = new float[0][];

    Scratch(int inputSize, int width, int latentDim, int stride) {
      x = new float[inputSize][stride];
      decoderX = new float[inputSize][stride];
      a = new float[width][stride];
      b = new float[width][stride];
      encoded = new float[2 * latentDim][stride];
      z = new float[latentDim][stride];
      precision = new float[inputSize][stride];
      sums = new float[stride];
      t = new float[stride];
      u = new float[stride];
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
  /** Index of the first value of a window that the likelihood terms cover. */
  private final int scoredFrom;
  /** Row stride of every scratch block: {@code max(BLOCK, L)}. */
  private final int stride;
  private final ThreadLocal<Scratch> scratch;

  /**
   * @param eps the model's fixed {@code [L, k]} standard-normal draws, row-major
   */
  DenseGaussianKernel(Architecture arch, Map<String, INDArray> params, float[] eps) {
    this(arch, params, eps, 0);
  }

  /**
   * @param scoredFrom the first value of a window that the terms cover (0: all of them; the
   *     last record's first value for {@link VaeConfig.ScoreTarget#LAST_RECORD})
   */
  DenseGaussianKernel(Architecture arch, Map<String, INDArray> params, float[] eps,
      int scoredFrom) {
    this.inputSize = arch.inputSize();
    if (scoredFrom < 0 || scoredFrom >= inputSize) {
      throw new IllegalArgumentException("scoredFrom " + scoredFrom + " outside [0, "
          + inputSize + ")");
    }
    this.scoredFrom = scoredFrom;
    this.latentDim = arch.latentDim();
    this.encoderLimit = arch.encoderLogVarLimit();
    this.decoderLimit = arch.decoderLogVarLimit();
    this.encoderHidden = hidden(params, arch.encoderHidden());
    this.encoderHead = head(params, arch.encoderMu(), arch.encoderLogVar(), 1f / encoderLimit,
        0);
    this.decoderHidden = hidden(params, arch.decoderHidden());
    // Only the scored values' means and log-variances are needed: a last-record model's head
    // computes 2F outputs instead of 2WF, the largest layer of the decoder at W = 32.
    this.decoderHead = head(params, arch.decoderMu(), arch.decoderLogVar(), 1f / decoderLimit,
        scoredFrom);
    if (eps.length == 0 || eps.length % latentDim != 0) {
      throw new IllegalArgumentException("noise matrix of " + eps.length
          + " values is not [L, " + latentDim + "]");
    }
    this.eps = eps.clone();
    this.mcSamples = eps.length / latentDim;
    this.stride = Math.max(BLOCK, mcSamples);
    int width = Math.max(encoderHead.nOut(), decoderHead.nOut());
    for (Architecture.Dense d : arch.allLayers()) {
      width = Math.max(width, d.nOut());
    }
    int scratchWidth = width;
    this.scratch = ThreadLocal.withInitial(
        () -> new Scratch(inputSize, scratchWidth, latentDim, stride));
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

  /**
   * The two heads side by side, outputs {@code from ..} of each: {@code [first | second *
   * scale]}, {@code 2 (nOut - from)} wide.
   */
  private static Layer head(Map<String, INDArray> params, Architecture.Dense first,
      Architecture.Dense second, float secondScale, int from) {
    int nIn = first.nIn();
    int all = first.nOut();
    int nOut = all - from;
    float[] w1 = values(params, first.weight());
    float[] w2 = values(params, second.weight());
    float[] b1 = values(params, first.bias());
    float[] b2 = values(params, second.bias());
    float[] weight = new float[nIn * 2 * nOut];
    float[] bias = new float[2 * nOut];
    for (int i = 0; i < nIn; i++) {
      for (int o = 0; o < nOut; o++) {
        weight[i * 2 * nOut + o] = w1[i * all + from + o];
        weight[i * 2 * nOut + nOut + o] = w2[i * all + from + o] * secondScale;
      }
    }
    for (int o = 0; o < nOut; o++) {
      bias[o] = b1[from + o];
      bias[nOut + o] = b2[from + o] * secondScale;
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
    score(x, windows, mu, termSums, 0, null);
  }

  /**
   * Scores normalised windows and, when {@code featureSums} is not null, also splits each
   * window's terms by feature: {@code featureSums[i * features + f]} is the sum over the L
   * samples of the terms of window i's values of feature f (value j belongs to feature
   * {@code j % features}, windows being time-major).
   */
  void score(float[] x, int windows, float[] mu, double[] termSums, int features,
      double[] featureSums) {
    Scratch s = scratch.get();
    if (featureSums != null && s.featureSums.length != features) {
      s.featureSums = new float[features][stride];
    }
    for (int start = 0; start < windows; start += BLOCK) {
      scoreBlock(x, start, Math.min(BLOCK, windows - start), s, mu, termSums,
          featureSums == null ? 0 : features, featureSums);
    }
  }

  /**
   * Encodes a block of windows, then decodes it in sub-blocks of {@code stride / L} windows
   * with all their L samples side by side (sample-major), so the decoder's loops run over up
   * to {@code stride} rows even when the block holds only a few windows.
   */
  private void scoreBlock(float[] x, int start, int rows, Scratch s, float[] mu,
      double[] termSums, int features, double[] featureSums) {
    int n = inputSize;
    int k = latentDim;
    float[][] xt = s.x;
    for (int r = 0; r < rows; r++) {
      int from = (start + r) * n;
      for (int j = 0; j < n; j++) {
        xt[j][r] = x[from + j];
      }
    }
    // Encoder: hidden layers ping-pong between the two scratch blocks.
    float[][] in = xt;
    float[][] out = s.a;
    for (Layer layer : encoderHidden) {
      dense(in, layer, out, rows);
      tanh(out, 0, layer.nOut(), rows, s);
      in = out;
      out = out == s.a ? s.b : s.a;
    }
    float[][] encoded = s.encoded;
    dense(in, encoderHead, encoded, rows);
    for (int j = 0; j < k; j++) {
      float[] m = encoded[j];
      for (int r = 0; r < rows; r++) {
        mu[(start + r) * k + j] = m[r];
      }
    }
    // sigma = exp(logvar / 2), logvar = c tanh(raw / c); the head already holds raw / c.
    tanh(encoded, k, k, rows, s);
    float halfLimit = 0.5f * encoderLimit;
    for (int j = k; j < 2 * k; j++) {
      float[] row = encoded[j];
      for (int r = 0; r < rows; r++) {
        row[r] *= halfLimit;
      }
    }
    exp(encoded, k, k, rows, s);

    int perSubBlock = Math.max(1, stride / mcSamples);
    float[][] z = s.z;
    float[][] dx = s.decoderX;
    float[] sums = s.sums;
    for (int first = 0; first < rows; first += perSubBlock) {
      int count = Math.min(perSubBlock, rows - first);
      int decoded = count * mcSamples;
      // Row sample * count + i: sample `sample` of window first + i.
      for (int j = 0; j < k; j++) {
        float[] mean = encoded[j];
        float[] sigma = encoded[k + j];
        float[] zRow = z[j];
        for (int sample = 0; sample < mcSamples; sample++) {
          float e = eps[sample * k + j];
          int offset = sample * count - first;
          for (int i = first; i < first + count; i++) {
            zRow[offset + i] = mean[i] + sigma[i] * e;
          }
        }
      }
      for (int j = scoredFrom; j < n; j++) {
        for (int sample = 0; sample < mcSamples; sample++) {
          System.arraycopy(xt[j], first, dx[j], sample * count, count);
        }
      }
      in = z;
      out = s.a;
      for (Layer layer : decoderHidden) {
        dense(in, layer, out, decoded);
        tanh(out, 0, layer.nOut(), decoded, s);
        in = out;
        out = out == s.a ? s.b : s.a;
      }
      dense(in, decoderHead, out, decoded);
      gaussianTerms(dx, out, decoded, s, features);
      for (int i = 0; i < count; i++) {
        double sum = 0;
        for (int sample = 0; sample < mcSamples; sample++) {
          sum += sums[sample * count + i];
        }
        termSums[start + first + i] = sum;
      }
      for (int f = 0; f < features; f++) {
        float[] perFeature = s.featureSums[f];
        for (int i = 0; i < count; i++) {
          double sum = 0;
          for (int sample = 0; sample < mcSamples; sample++) {
            sum += perFeature[sample * count + i];
          }
          featureSums[(start + first + i) * features + f] = sum;
        }
      }
    }
  }

  /**
   * Per decoded row r, {@code s.sums[r] = sum_j (x_j - mean_j)^2 exp(-v_j) + v_j} with
   * {@code v = c tanh(head[m + j])}, over the scored values {@code j = scoredFrom .. n} of a
   * decoded block {@code head = [mean | raw logvar / c]} of theirs ({@code m = n - scoredFrom}
   * each). Overwrites the head's second half with v.
   */
  private void gaussianTerms(float[][] xt, float[][] head, int rows, Scratch s, int features) {
    int n = inputSize;
    int m = n - scoredFrom;
    float c = decoderLimit;
    float[][] precision = s.precision;
    tanh(head, m, m, rows, s);
    for (int j = 0; j < m; j++) {
      float[] logVar = head[m + j];
      float[] p = precision[j];
      for (int r = 0; r < rows; r++) {
        float v = logVar[r] * c;
        logVar[r] = v;
        p[r] = -v;
      }
      expInPlace(p, 0, rows, s.t, s.u);
    }
    float[] sums = s.sums;
    java.util.Arrays.fill(sums, 0, rows, 0f);
    for (int f = 0; f < features; f++) {
      java.util.Arrays.fill(s.featureSums[f], 0, rows, 0f);
    }
    for (int j = 0; j < m; j++) {
      float[] xj = xt[scoredFrom + j];
      float[] mean = head[j];
      float[] logVar = head[m + j];
      float[] p = precision[j];
      if (features == 0) {
        for (int r = 0; r < rows; r++) {
          float d = xj[r] - mean[r];
          sums[r] += d * d * p[r] + logVar[r];
        }
      } else {
        float[] perFeature = s.featureSums[(scoredFrom + j) % features];
        for (int r = 0; r < rows; r++) {
          float d = xj[r] - mean[r];
          float term = d * d * p[r] + logVar[r];
          sums[r] += term;
          perFeature[r] += term;
        }
      }
    }
  }

  /**
   * {@code out[o][r] = bias[o] + sum_i W[o][i] in[i][r]} over the first {@code rows} entries.
   * Four inputs per pass: the accumulator row is read and written a quarter as often as with
   * one.
   */
  private static void dense(float[][] in, Layer layer, float[][] out, int rows) {
    int nIn = layer.nIn();
    float[] w = layer.weight();
    for (int o = 0; o < layer.nOut(); o++) {
      float[] acc = out[o];
      int wRow = o * nIn;
      float bias = layer.bias()[o];
      java.util.Arrays.fill(acc, 0, rows, bias);
      int i = 0;
      for (; i + 3 < nIn; i += 4) {
        float w0 = w[wRow + i];
        float w1 = w[wRow + i + 1];
        float w2 = w[wRow + i + 2];
        float w3 = w[wRow + i + 3];
        float[] a0 = in[i];
        float[] a1 = in[i + 1];
        float[] a2 = in[i + 2];
        float[] a3 = in[i + 3];
        for (int r = 0; r < rows; r++) {
          acc[r] += w0 * a0[r] + w1 * a1[r] + w2 * a2[r] + w3 * a3[r];
        }
      }
      for (; i < nIn; i++) {
        float wi = w[wRow + i];
        float[] a0 = in[i];
        for (int r = 0; r < rows; r++) {
          acc[r] += wi * a0[r];
        }
      }
    }
  }

  /** tanh in place over units {@code first .. first + units}, the first {@code rows} each. */
  private static void tanh(float[][] block, int first, int units, int rows, Scratch s) {
    for (int o = first; o < first + units; o++) {
      tanhInPlace(block[o], 0, rows, s.t, s.u);
    }
  }

  /** exp in place, as {@link #tanh(float[][], int, int, int, Scratch)}. */
  private static void exp(float[][] block, int first, int units, int rows, Scratch s) {
    for (int o = first; o < first + units; o++) {
      expInPlace(block[o], 0, rows, s.t, s.u);
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
