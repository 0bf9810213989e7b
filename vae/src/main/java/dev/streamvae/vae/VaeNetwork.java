package dev.streamvae.vae;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv1DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The trained weights and the forward pass for inference, in plain ND4J operations (matrix
 * multiply, tanh, exp, and for the convolutional layout ND4J's {@code conv1d} op, the same kernel
 * the SameDiff graph trains with) on arrays that are never written after construction.
 *
 * <p>Why not SameDiff's {@code output()}: every op here allocates its result, so several threads
 * can run the forward pass on one instance at once without locks, with no session state to
 * share, and the maths is visible in a page next to the graph it must match.
 */
final class VaeNetwork {

  private final Architecture arch;
  private final Map<String, INDArray> params;

  /** Takes ownership of copies of {@code params}; each must match its layer's shape. */
  VaeNetwork(Architecture arch, Map<String, INDArray> params) {
    this.arch = arch;
    Map<String, INDArray> copy = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : arch.parameterShapes().entrySet()) {
      copy.put(e.getKey(), checked(params, e.getKey(), e.getValue()));
    }
    if (params.size() != copy.size()) {
      throw new IllegalArgumentException("unexpected weight arrays: "
          + params.keySet().stream().filter(k -> !copy.containsKey(k)).toList());
    }
    this.params = copy;
  }

  private static INDArray checked(Map<String, INDArray> params, String name, long[] shape) {
    INDArray a = params.get(name);
    if (a == null) {
      throw new IllegalArgumentException("weight array " + name + " missing");
    }
    if (!Arrays.equals(a.shape(), shape)) {
      throw new IllegalArgumentException("weight array " + name + " has shape "
          + Arrays.toString(a.shape()) + ", expected " + Arrays.toString(shape));
    }
    return a.castTo(DataType.FLOAT).dup('c');
  }

  /** The scoring pass over these weights (see {@link FusedForward}); dense unconditional only. */
  FusedForward fusedForward() {
    return new FusedForward(arch, params);
  }

  Architecture architecture() {
    return arch;
  }

  /** Copies of the weight arrays, in payload order. */
  Map<String, INDArray> params() {
    Map<String, INDArray> copy = new LinkedHashMap<>();
    params.forEach((k, v) -> copy.put(k, v.dup()));
    return copy;
  }

  /** Encoder of an unconditional model. */
  INDArray[] encode(INDArray x) {
    return encode(x, null);
  }

  /**
   * Encoder: normalised windows {@code [B, n]} (and, for a conditional model, their conditions
   * {@code [B, c]}) to {@code {mu, logvar}}, each {@code [B, k]}.
   */
  INDArray[] encode(INDArray x, INDArray condition) {
    INDArray h;
    if (arch.convolutional()) {
      long rows = x.size(0);
      INDArray map = x.dup('c').reshape('c', rows, arch.windowLength(), arch.featureCount());
      for (Architecture.Conv c : arch.encoderConvs()) {
        map = Transforms.tanh(conv(map, c), false);
      }
      h = withCondition(map.dup('c').reshape('c', rows, map.length() / rows), condition);
    } else {
      h = hidden(withCondition(x, condition), arch.encoderHidden());
    }
    INDArray mu = dense(h, arch.encoderMu());
    INDArray logVar = softClamp(dense(h, arch.encoderLogVar()), arch.encoderLogVarLimit());
    return new INDArray[] {mu, logVar};
  }

  /** Decoder of an unconditional model. */
  INDArray[] decode(INDArray z) {
    return decode(z, null);
  }

  /**
   * Decoder: latent rows {@code [R, k]} (with their conditions {@code [R, c]} for a conditional
   * model) to {@code {mean, logvar}}, each {@code [R, n]}, time-major like the windows.
   */
  INDArray[] decode(INDArray z, INDArray condition) {
    INDArray in = withCondition(z, condition);
    if (arch.convolutional()) {
      long rows = in.size(0);
      INDArray map = Transforms.tanh(dense(in, arch.decoderInput()), false).dup('c')
          .reshape('c', rows, arch.windowLength(), arch.hiddenSizes()
              .get(arch.hiddenSizes().size() - 1));
      for (Architecture.Conv c : arch.decoderConvs()) {
        map = Transforms.tanh(conv(map, c), false);
      }
      INDArray mean = conv(map, arch.decoderMuConv()).dup('c').reshape('c', rows,
          arch.inputSize());
      INDArray logVar = softClamp(conv(map, arch.decoderLogVarConv()).dup('c').reshape('c',
          rows, arch.inputSize()), arch.decoderLogVarLimit());
      return new INDArray[] {mean, logVar};
    }
    INDArray h = hidden(in, arch.decoderHidden());
    INDArray mean = dense(h, arch.decoderMu());
    INDArray logVar = softClamp(dense(h, arch.decoderLogVar()), arch.decoderLogVarLimit());
    return new INDArray[] {mean, logVar};
  }

  /** The convolution configuration of a layer: NWC, SAME padding, as the graph uses it. */
  static Conv1DConfig convConfig(Architecture.Conv c) {
    return new Conv1DConfig(c.kernel(), c.stride(), 0, 1, Conv1DConfig.NWC, PaddingMode.SAME);
  }

  private INDArray conv(INDArray map, Architecture.Conv c) {
    return Nd4j.cnn().conv1d(map, params.get(c.weight()), params.get(c.bias()), convConfig(c));
  }

  private INDArray withCondition(INDArray in, INDArray condition) {
    if (arch.conditionSize() == 0) {
      return in;
    }
    if (condition == null || condition.size(0) != in.size(0)
        || condition.size(1) != arch.conditionSize()) {
      throw new IllegalArgumentException("a conditional network needs a [" + in.size(0) + ", "
          + arch.conditionSize() + "] condition");
    }
    return Nd4j.hstack(in, condition);
  }

  private INDArray hidden(INDArray in, List<Architecture.Dense> layers) {
    INDArray h = in;
    for (Architecture.Dense d : layers) {
      h = Transforms.tanh(dense(h, d), false);
    }
    return h;
  }

  private INDArray dense(INDArray in, Architecture.Dense d) {
    // mmul allocates a fresh result, so the in-place bias add never touches shared state.
    return in.mmul(params.get(d.weight())).addiRowVector(params.get(d.bias()));
  }

  private static INDArray softClamp(INDArray raw, float limit) {
    return Transforms.tanh(raw.divi(limit), false).muli(limit);
  }
}
