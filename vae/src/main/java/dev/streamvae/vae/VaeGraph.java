package dev.streamvae.vae;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SameDiff training graph: encoder, reparameterisation with noise fed as a placeholder,
 * Gaussian decoder, and the two loss terms. The forward maths must equal {@link VaeNetwork}'s;
 * {@code VaeGraphTest} checks that both compute the same loss.
 */
final class VaeGraph {

  static final String INPUT = "x";
  static final String NOISE = "eps";
  /** 1 where a value was observed, 0 where it was missing and imputed: only observed count. */
  static final String MASK = "mask";
  static final String RECONSTRUCTION = "reconstruction";
  static final String WEIGHTED_KL = "weightedKl";
  /** The KL weight, a constant whose value the trainer sets before each epoch (annealing). */
  static final String BETA = "beta";
  /** The condition vectors of a conditional model, {@code [B, c]}; absent otherwise. */
  static final String CONDITION = "condition";

  private static final double LOG_2PI = Math.log(2 * Math.PI);

  private final SameDiff sd;
  private final Architecture arch;

  private VaeGraph(SameDiff sd, Architecture arch) {
    this.sd = sd;
    this.arch = arch;
  }

  /**
   * Builds the graph with Glorot-normal weights and zero biases drawn from {@code random}, so
   * initialisation depends on the seed alone and not on ND4J's global generator.
   */
  static VaeGraph build(Architecture arch, double beta, Random random) {
    return build(arch, beta, 0.0, random);
  }

  /**
   * As {@link #build(Architecture, double, Random)}, with free bits: when {@code freeBits > 0}
   * the KL term is {@code sum_j max(mean_batch(KL_j), freeBits)} over latent dimensions j
   * instead of {@code mean_batch(sum_j KL_j)} (equal when no dimension is below the floor).
   */
  static VaeGraph build(Architecture arch, double beta, double freeBits, Random random) {
    return build(arch, beta, freeBits, false, random);
  }

  /**
   * As above; with {@code bernoulli} the reconstruction term is the Bernoulli NLL with the
   * decoder's mean head as logit, {@code softplus(l) - x * l} per value.
   */
  static VaeGraph build(Architecture arch, double beta, double freeBits, boolean bernoulli,
      Random random) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, arch.inputSize());
    SDVariable eps = sd.placeHolder(NOISE, DataType.FLOAT, -1, arch.latentDim());
    SDVariable mask = sd.placeHolder(MASK, DataType.FLOAT, -1, arch.inputSize());
    SDVariable condition = arch.conditionSize() == 0 ? null
        : sd.placeHolder(CONDITION, DataType.FLOAT, -1, arch.conditionSize());
    Map<String, SDVariable> vars = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : arch.parameterShapes().entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      // Weights Glorot-normal (fan-in and fan-out over the kernel too), biases zero.
      INDArray init = name.endsWith("_b") ? Nd4j.zeros(DataType.FLOAT, shape)
          : glorot(shape, random);
      vars.put(name, sd.var(name, init));
    }

    SDVariable h;
    if (arch.convolutional()) {
      SDVariable map = sd.reshape(x, -1, arch.windowLength(), arch.featureCount());
      for (Architecture.Conv c : arch.encoderConvs()) {
        map = sd.math().tanh(conv(sd, map, c, vars));
      }
      h = withCondition(sd, sd.reshape(map, -1, (long) arch.encodedLength()
          * arch.hiddenSizes().get(arch.hiddenSizes().size() - 1)), condition);
    } else {
      h = hidden(sd, withCondition(sd, x, condition), arch.encoderHidden(), vars);
    }
    SDVariable mu = dense(h, arch.encoderMu(), vars);
    SDVariable logVar = softClamp(sd, dense(h, arch.encoderLogVar(), vars),
        arch.encoderLogVarLimit());
    SDVariable z = mu.add(sd.math().exp(logVar.mul(0.5)).mul(eps));

    SDVariable mean;
    SDVariable decLogVar;
    SDVariable zc = withCondition(sd, z, condition);
    if (arch.convolutional()) {
      SDVariable map = sd.reshape(sd.math().tanh(dense(zc, arch.decoderInput(), vars)), -1,
          arch.windowLength(), arch.hiddenSizes().get(arch.hiddenSizes().size() - 1));
      for (Architecture.Conv c : arch.decoderConvs()) {
        map = sd.math().tanh(conv(sd, map, c, vars));
      }
      mean = sd.reshape(conv(sd, map, arch.decoderMuConv(), vars), -1, arch.inputSize());
      decLogVar = softClamp(sd, sd.reshape(conv(sd, map, arch.decoderLogVarConv(), vars), -1,
          arch.inputSize()), arch.decoderLogVarLimit());
    } else {
      SDVariable hd = hidden(sd, zc, arch.decoderHidden(), vars);
      mean = dense(hd, arch.decoderMu(), vars);
      decLogVar = softClamp(sd, dense(hd, arch.decoderLogVar(), vars),
          arch.decoderLogVarLimit());
    }

    // Gaussian NLL per value: 0.5 * (log 2pi + logvar + (x - m)^2 / exp(logvar)); summed over
    // the window's observed values (the mask), mean over the batch.
    SDVariable diff = x.sub(mean);
    SDVariable perValue = bernoulli
        ? sd.nn().softplus(mean).sub(x.mul(mean)).mul(mask)
        : diff.mul(diff).mul(sd.math().exp(decLogVar.neg())).add(decLogVar)
            .add(LOG_2PI).mul(0.5).mul(mask);
    perValue.sum(1).mean(RECONSTRUCTION);
    // Closed-form KL(N(mu, sigma^2) || N(0, I)) = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)).
    SDVariable klPerDim = logVar.add(1.0).sub(mu.mul(mu)).sub(sd.math().exp(logVar)).mul(-0.5);
    SDVariable kl = freeBits > 0
        ? sd.nn().relu(klPerDim.mean(0).sub(freeBits), 0).add(freeBits).sum()
        // mean over all B*k entries times k = mean over the batch of the sum over dimensions;
        // written so because sum(1) over a [B, 1] array fails in SameDiff training when k = 1
        // (NullPointerException inside the reduce op, DL4J 1.0.0-M2.1).
        : klPerDim.mean().mul(arch.latentDim());
    SDVariable betaVar = sd.constant(BETA, Nd4j.scalar(DataType.FLOAT, (float) beta));
    kl.mul(WEIGHTED_KL, betaVar);
    sd.setLossVariables(RECONSTRUCTION, WEIGHTED_KL);
    return new VaeGraph(sd, arch);
  }

  SameDiff sameDiff() {
    return sd;
  }

  /** Sets the KL weight for the following training steps. */
  void setBeta(double beta) {
    sd.getVariable(BETA).getArr().assign((float) beta);
  }

  /** Overwrites the weights with copies of {@code params}, which must have every layer's shape. */
  void setParams(Map<String, INDArray> params) {
    for (Map.Entry<String, long[]> e : arch.parameterShapes().entrySet()) {
      INDArray source = params.get(e.getKey());
      if (source == null || !java.util.Arrays.equals(source.shape(), e.getValue())) {
        throw new IllegalArgumentException("weight array " + e.getKey() + " missing or of the"
            + " wrong shape");
      }
      sd.getVariable(e.getKey()).getArr().assign(source);
    }
  }

  /** Copies of the current weights, by payload name. */
  Map<String, INDArray> params() {
    Map<String, INDArray> params = new LinkedHashMap<>();
    for (String name : arch.parameterShapes().keySet()) {
      params.put(name, sd.getVariable(name).getArr().dup('c'));
    }
    return params;
  }

  private static SDVariable hidden(SameDiff sd, SDVariable in, List<Architecture.Dense> layers,
      Map<String, SDVariable> vars) {
    SDVariable h = in;
    for (Architecture.Dense d : layers) {
      h = sd.math().tanh(dense(h, d, vars));
    }
    return h;
  }

  private static SDVariable dense(SDVariable in, Architecture.Dense d,
      Map<String, SDVariable> vars) {
    return in.mmul(vars.get(d.weight())).add(vars.get(d.bias()));
  }

  private static SDVariable softClamp(SameDiff sd, SDVariable raw, float limit) {
    return sd.math().tanh(raw.div(limit)).mul(limit);
  }

  private static SDVariable conv(SameDiff sd, SDVariable in, Architecture.Conv c,
      Map<String, SDVariable> vars) {
    return sd.cnn().conv1d(in, vars.get(c.weight()), vars.get(c.bias()),
        VaeNetwork.convConfig(c));
  }

  private static SDVariable withCondition(SameDiff sd, SDVariable in, SDVariable condition) {
    return condition == null ? in : sd.concat(1, in, condition);
  }

  /**
   * Glorot-normal weights: dense {@code [nIn, nOut]}, or a convolution's {@code [kernel, nIn,
   * nOut]}, whose fans are {@code kernel * nIn} and {@code kernel * nOut}. For dense layers the
   * draws are those of the dense-only releases, so their seeded models are unchanged.
   */
  private static INDArray glorot(long[] shape, Random random) {
    long receptive = shape.length == 3 ? shape[0] : 1;
    long nIn = shape[shape.length - 2] * receptive;
    long nOut = shape[shape.length - 1] * receptive;
    double std = Math.sqrt(2.0 / (nIn + nOut));
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    float[] values = new float[(int) size];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * std);
    }
    return Nd4j.create(values, shape, 'c');
  }
}
