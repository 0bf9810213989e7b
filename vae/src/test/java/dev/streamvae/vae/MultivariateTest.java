package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultivariateTest {

  private static double[][] twoFeatures(int length, long seed) {
    Random random = new Random(seed);
    double[][] v = new double[length][2];
    for (int t = 0; t < length; t++) {
      double phase = 2 * Math.PI * t / 40;
      v[t][0] = 100 + 20 * Math.sin(phase) + random.nextGaussian();
      v[t][1] = 0.5 + 0.2 * Math.cos(phase) + 0.01 * random.nextGaussian();
    }
    return v;
  }

  @Test
  void trainsAndScoresTwoFeatureWindows() {
    int window = 16;
    TrainingSet data = TrainingSet.builder(List.of("cpu", "load"), window, 2)
        .addSeries("a", Synthetic.timestamps(2000), twoFeatures(2000, 1))
        .addSeries("b", Synthetic.timestamps(1000), twoFeatures(1000, 2)).build();
    VaeConfig config = VaeConfig.builder().scoreTarget(VaeConfig.ScoreTarget.WINDOW)
        .windowLength(window).featureCount(2)
        .hiddenSizes(32, 16).latentDim(3).epochs(12).batchSize(64).learningRate(3e-3)
        .mcSamples(4).seed(3).build();
    TrainedModel trained = VaeTrainer.train(data, config, null);
    AnomalyModel model = trained.model();
    assertThat(model.featureCount()).isEqualTo(2);
    assertThat(trained.history().get(trained.history().size() - 1).loss())
        .isLessThan(trained.history().get(0).loss());

    float[][] normal = Synthetic.windows(twoFeatures(300, 9), window);
    float[][] broken = new float[normal.length][];
    for (int i = 0; i < normal.length; i++) {
      broken[i] = normal[i].clone();
      // Feature 1 ("load") jumps by 10 of its standard deviations at t = 8: only the second
      // column moves, so this fails unless columns are interleaved as the model expects.
      broken[i][8 * 2 + 1] += 1.5f;
    }
    ScoreBatch ok = model.score(normal);
    ScoreBatch bad = model.score(broken);
    int falsePositives = 0;
    int detected = 0;
    for (int i = 0; i < ok.size(); i++) {
      falsePositives += ok.isAnomaly(i) ? 1 : 0;
      detected += bad.isAnomaly(i) ? 1 : 0;
      assertThat(bad.anomalyScore(i)).isGreaterThan(ok.anomalyScore(i));
    }
    assertThat((double) falsePositives / ok.size()).isLessThan(0.05);
    assertThat((double) detected / bad.size()).isGreaterThan(0.9);

    // The contributions name the metric that broke, and add up to the anomaly score.
    double[][] shares = model.contributions(broken);
    for (int i = 0; i < broken.length; i++) {
      assertThat(shares[i][1]).as("window %d", i).isGreaterThan(shares[i][0]);
      assertThat(shares[i][0] + shares[i][1]).isCloseTo(bad.anomalyScore(i),
          org.assertj.core.data.Offset.offset(1e-3 * Math.max(1, Math.abs(bad.anomalyScore(i)))));
    }
    // A spike in the first metric instead moves the blame to it.
    float[][] other = new float[normal.length][];
    for (int i = 0; i < normal.length; i++) {
      other[i] = normal[i].clone();
      other[i][8 * 2] += 200f;
    }
    double[][] otherShares = model.contributions(other);
    for (double[] share : otherShares) {
      assertThat(share[0]).isGreaterThan(share[1]);
    }
    float[] withNan = normal[0].clone();
    withNan[3] = Float.NaN;
    assertThat(model.contributions(new float[][] {withNan})[0]).containsOnly(Double.NaN);
  }
}
