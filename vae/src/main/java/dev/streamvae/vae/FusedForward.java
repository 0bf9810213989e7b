package dev.streamvae.vae;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The scoring forward pass of {@link VaeNetwork}, rearranged for speed: the same maths as
 * {@link VaeNetwork#encode}/{@link VaeNetwork#decode} followed by the Gaussian log-likelihood,
 * in fewer, cheaper ND4J calls.
 *
 * <ul>
 *   <li>Every layer is one {@code gemm} into a fresh C-ordered output that already holds the bias
 *       rows ({@code beta = 1}), so there is no separate bias add and no F-ordered intermediate
 *       (ND4J's {@code mmul} returns F order, and element-wise ops that mix orders take libnd4j's
 *       slow strided path).
 *   <li>The decoder mean's output starts as {@code x - bias}, tiled over the L samples, and the
 *       gemm runs with {@code alpha = -1}: its result is {@code x - mean} directly, with no tiled
 *       copy of the input as an ND4J array and no subtraction op.
 *   <li>The log-variance soft clamp {@code c tanh(raw / c)} has {@code 1 / c} folded into that
 *       layer's weights and bias here, once; the decoder's is also negated, so the pass yields
 *       {@code -logvar} (tanh is odd) and the precision is one {@code exp}.
 * </ul>
 *
 * <p>Immutable after construction: the weight arrays are only ever read (as gemm's A or B), and
 * every array written is allocated by the call that writes it, so threads may share an instance.
 */
final class FusedForward {

  /** One dense layer: weight {@code [nIn, nOut]} (read only) and bias. */
  private record Layer(INDArray weight, float[] bias) {
    int nOut() {
      return bias.length;
    }
  }

  private final int inputSize;
  private final List<Layer> encoderHidden;
  private final Layer encoderMu;
  private final Layer encoderLogVarScaled;
  private final float encoderLimit;
  private final List<Layer> decoderHidden;
  private final Layer decoderMean;
  private final Layer decoderNegLogVarScaled;
  private final float decoderLimit;

  FusedForward(Architecture arch, Map<String, INDArray> params) {
    this.inputSize = arch.inputSize();
    this.encoderLimit = arch.encoderLogVarLimit();
    this.decoderLimit = arch.decoderLogVarLimit();
    this.encoderHidden = arch.encoderHidden().stream().map(d -> layer(params, d, 1f)).toList();
    this.encoderMu = layer(params, arch.encoderMu(), 1f);
    this.encoderLogVarScaled = layer(params, arch.encoderLogVar(), 1f / encoderLimit);
    this.decoderHidden = arch.decoderHidden().stream().map(d -> layer(params, d, 1f)).toList();
    this.decoderMean = layer(params, arch.decoderMu(), 1f);
    this.decoderNegLogVarScaled = layer(params, arch.decoderLogVar(), -1f / decoderLimit);
  }

  private static Layer layer(Map<String, INDArray> params, Architecture.Dense d,
      float scale) {
    INDArray w = params.get(d.weight()).castTo(DataType.FLOAT).dup('c');
    INDArray b = params.get(d.bias()).castTo(DataType.FLOAT).dup('c');
    if (scale != 1f) {
      w.muli(scale);
      b.muli(scale);
    }
    return new Layer(w, b.data().asFloat());
  }

  /**
   * Encodes normalised windows.
   *
   * @param x {@code [B, n]} C-ordered normalised windows
   * @param mu receives the encoder means, {@code B * k}, row-major
   * @param sigma receives {@code exp(logvar / 2)}, {@code B * k}, row-major
   */
  void encode(INDArray x, float[] mu, float[] sigma) {
    INDArray h = hidden(x, encoderHidden);
    INDArray m = dense(h, encoderMu, 1.0);
    INDArray halfLogVar = Transforms.tanh(dense(h, encoderLogVarScaled, 1.0), false)
        .muli(0.5f * encoderLimit);
    System.arraycopy(m.data().asFloat(), 0, mu, 0, mu.length);
    System.arraycopy(Transforms.exp(halfLogVar, false).data().asFloat(), 0, sigma, 0,
        sigma.length);
  }

  /**
   * Decodes latent rows and returns, per row, {@code sum_j (x_j - mean_j)^2 exp(-logvar_j) +
   * logvar_j}: minus twice the Gaussian log-likelihood without its constant.
   *
   * @param z {@code [R, k]} C-ordered latent rows, R = L * B, row {@code s * B + i} a sample of
   *     window i
   * @param x the normalised windows, {@code B * n}, row-major
   * @param windows B
   */
  float[] reconstructionTerms(INDArray z, float[] x, int windows) {
    int n = inputSize;
    int rows = (int) z.size(0);
    INDArray h = hidden(z, decoderHidden);
    // x - bias, tiled over the samples: the gemm below subtracts h W from it in place.
    float[] centred = new float[windows * n];
    float[] bias = decoderMean.bias();
    for (int i = 0; i < windows; i++) {
      for (int j = 0; j < n; j++) {
        centred[i * n + j] = x[i * n + j] - bias[j];
      }
    }
    float[] tiled = new float[rows * n];
    for (int offset = 0; offset < tiled.length; offset += centred.length) {
      System.arraycopy(centred, 0, tiled, offset, centred.length);
    }
    INDArray diff = Nd4j.create(tiled, new long[] {rows, n}, 'c');
    Nd4j.gemm(h, decoderMean.weight(), diff, false, false, -1.0, 1.0);
    INDArray negLogVar = Transforms.tanh(dense(h, decoderNegLogVarScaled, 1.0), false)
        .muli(decoderLimit);
    INDArray precision = Transforms.exp(negLogVar, true);
    INDArray terms = diff.muli(diff).muli(precision).subi(negLogVar);
    return terms.sum(1).data().asFloat();
  }

  private static INDArray hidden(INDArray in, List<Layer> layers) {
    INDArray h = in;
    for (Layer layer : layers) {
      h = Transforms.tanh(dense(h, layer, 1.0), false);
    }
    return h;
  }

  /** {@code alpha * in W + bias}, into a fresh C-ordered array. */
  private static INDArray dense(INDArray in, Layer layer, double alpha) {
    int rows = (int) in.size(0);
    int cols = layer.nOut();
    float[] init = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(layer.bias(), 0, init, r * cols, cols);
    }
    INDArray out = Nd4j.create(init, new long[] {rows, cols}, 'c');
    Nd4j.gemm(in, layer.weight(), out, false, false, alpha, 1.0);
    return out;
  }
}
