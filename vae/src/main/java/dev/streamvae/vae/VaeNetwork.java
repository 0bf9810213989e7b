package dev.streamvae.vae;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The trained weights and the forward pass for inference, in plain ND4J operations (matrix
 * multiply, tanh, exp) on arrays that are never written after construction.
 *
 * <p>Why not SameDiff's {@code output()}: every op here allocates its result, so several threads
 * can run the forward pass on one instance at once without locks, with no session state to
 * share, and the maths is visible in twenty lines next to the graph it must match.
 */
final class VaeNetwork {

  private final Architecture arch;
  private final Map<String, INDArray> params;

  /** Takes ownership of copies of {@code params}; each must match its layer's shape. */
  VaeNetwork(Architecture arch, Map<String, INDArray> params) {
    this.arch = arch;
    Map<String, INDArray> copy = new LinkedHashMap<>();
    for (Architecture.Dense d : arch.allLayers()) {
      copy.put(d.weight(), checked(params, d.weight(), d.nIn(), d.nOut()));
      copy.put(d.bias(), checked(params, d.bias(), 1, d.nOut()));
    }
    if (params.size() != copy.size()) {
      throw new IllegalArgumentException("unexpected weight arrays: "
          + params.keySet().stream().filter(k -> !copy.containsKey(k)).toList());
    }
    this.params = copy;
  }

  private static INDArray checked(Map<String, INDArray> params, String name, long rows,
      long cols) {
    INDArray a = params.get(name);
    if (a == null) {
      throw new IllegalArgumentException("weight array " + name + " missing");
    }
    if (a.rank() != 2 || a.size(0) != rows || a.size(1) != cols) {
      throw new IllegalArgumentException("weight array " + name + " has shape "
          + java.util.Arrays.toString(a.shape()) + ", expected [" + rows + ", " + cols + "]");
    }
    return a.castTo(DataType.FLOAT).dup('c');
  }

  /** The scoring pass over these weights (see {@link FusedForward}). */
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

  /** Encoder: normalised windows {@code [B, n]} to {@code {mu, logvar}}, each {@code [B, k]}. */
  INDArray[] encode(INDArray x) {
    INDArray h = hidden(x, arch.encoderHidden());
    INDArray mu = dense(h, arch.encoderMu());
    INDArray logVar = softClamp(dense(h, arch.encoderLogVar()), arch.encoderLogVarLimit());
    return new INDArray[] {mu, logVar};
  }

  /** Decoder: latent rows {@code [R, k]} to {@code {mean, logvar}}, each {@code [R, n]}. */
  INDArray[] decode(INDArray z) {
    INDArray h = hidden(z, arch.decoderHidden());
    INDArray mean = dense(h, arch.decoderMu());
    INDArray logVar = softClamp(dense(h, arch.decoderLogVar()), arch.decoderLogVarLimit());
    return new INDArray[] {mean, logVar};
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
