package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The SameDiff training graph and the plain-ND4J inference path compute the same loss. */
class VaeGraphTest {

  @Test
  void graphLossEqualsInferencePathLoss() {
    VaeConfig config = VaeConfig.builder().windowLength(6).featureCount(2).hiddenSizes(8, 5)
        .latentDim(3).beta(2.5).build();
    Architecture arch = Architecture.of(config);
    Random random = new Random(11);
    VaeGraph graph = VaeGraph.build(arch, config.beta(), random);
    int rows = 7;
    INDArray x = Nd4j.create(VaeTrainer.standardNormal(random, rows * 12), new long[] {rows, 12},
        'c');
    INDArray eps = Nd4j.create(VaeTrainer.standardNormal(random, rows * 3), new long[] {rows, 3},
        'c');
    Map<String, INDArray> out = graph.sameDiff().output(
        Map.of(VaeGraph.INPUT, x, VaeGraph.NOISE, eps, VaeGraph.MASK,
            Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, rows, 12)),
        VaeGraph.RECONSTRUCTION,
        VaeGraph.WEIGHTED_KL);
    double[] terms = VaeTrainer.lossTerms(new VaeNetwork(arch, graph.params()), x, eps);
    assertThat(out.get(VaeGraph.RECONSTRUCTION).getDouble(0)).isCloseTo(terms[0], within(1e-3));
    assertThat(out.get(VaeGraph.WEIGHTED_KL).getDouble(0))
        .isCloseTo(config.beta() * terms[1], within(1e-4));
  }
}
