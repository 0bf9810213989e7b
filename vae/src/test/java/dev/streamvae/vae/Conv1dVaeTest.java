package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The 1-D convolutional encoder/decoder ({@link VaeConfig.ArchitectureKind#CONV1D}). */
class Conv1dVaeTest {

  private static TrainedModel conv;

  private static VaeConfig convConfig() {
    return Synthetic.sineConfig().toBuilder().architecture(VaeConfig.ArchitectureKind.CONV1D)
        .hiddenSizes(8, 16).epochs(8).build();
  }

  private static synchronized TrainedModel conv() {
    if (conv == null) {
      conv = VaeTrainer.train(Synthetic.sineTrainingSet(), convConfig(), null);
    }
    return conv;
  }

  @Test
  void theOptionBuildsConvolutionsThatTrainAndFindASpike() {
    TrainedModel trained = conv();
    AnomalyModel model = trained.model();
    assertThat(model.architecture()).isEqualTo(VaeConfig.ArchitectureKind.CONV1D);
    Map<String, INDArray> params = model.network().params();
    // Kernel 5 over 1 metric into 8 channels, then 8 into 16; the dense heads read the
    // 16-channel map of 32 / 2 / 2 = 8 steps.
    assertThat(params.get("enc_conv0_W").shape()).containsExactly(5, 1, 8);
    assertThat(params.get("enc_conv1_W").shape()).containsExactly(5, 8, 16);
    assertThat(params.get("enc_mu_W").shape()).containsExactly(8 * 16, 4);
    assertThat(params.get("dec_in_W").shape()).containsExactly(4, 32 * 16);
    assertThat(params.get("dec_mu_W").shape()).containsExactly(5, 8, 1);
    assertThat(trained.history().get(trained.history().size() - 1).loss())
        .isLessThan(trained.history().get(0).loss());

    // Fresh sine windows, half of them with a spike of 4 amplitudes at a random step.
    double[][] series = Synthetic.sine(1200, 77);
    float[][] windows = Synthetic.windows(series, Synthetic.WINDOW);
    Random random = new Random(3);
    boolean[] spiked = new boolean[windows.length];
    for (int i = 0; i < windows.length; i += 2) {
      windows[i][random.nextInt(Synthetic.WINDOW)] += (float) (4 * Synthetic.AMPLITUDE);
      spiked[i] = true;
    }
    ScoreBatch scores = model.score(windows);
    double auc = auc(scores, spiked);
    assertThat(auc).isGreaterThan(0.95);
  }

  @Test
  void theConvModelSurvivesTheBundleAndScoresAlikeFromSeveralThreads() throws Exception {
    TrainedModel trained = conv();
    ModelBundle bundle = ModelBundle.fromBytes(
        trained.toBundle("conv", 1, Instant.parse("2026-11-21T00:00:00Z")).toBytes());
    assertThat(bundle.manifest().trainingOptions()).containsEntry("architecture", "CONV1D");
    assertThat(bundle.manifest().conditioning()).isEqualTo("none");
    assertThat(bundle.manifest().libraryVersions()).containsEntry("payloadFormat", "3");
    AnomalyModel loaded = bundle.load();
    assertThat(loaded.architecture()).isEqualTo(VaeConfig.ArchitectureKind.CONV1D);
    assertThat(bundle.verifyReferences(loaded, 1e-5)).isPositive();

    float[][] windows = Arrays.copyOf(trained.data().windows(), 300);
    ScoreBatch expected = trained.model().score(windows);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<ScoreBatch>> results = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> loaded.score(windows)));
      }
      for (Future<ScoreBatch> f : results) {
        ScoreBatch got = f.get();
        for (int i = 0; i < windows.length; i++) {
          assertThat(got.logProbability(i)).isCloseTo(expected.logProbability(i), within(1e-4));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    // Contributions of a univariate window are its whole anomaly score.
    double[][] shares = loaded.contributions(Arrays.copyOf(windows, 3));
    for (int i = 0; i < 3; i++) {
      assertThat(shares[i][0]).isCloseTo(expected.anomalyScore(i), within(1e-3));
    }
  }

  @Test
  void graphLossEqualsInferencePathLossForConvolutionsAndConditions() {
    for (VaeConfig config : List.of(
        VaeConfig.builder().windowLength(7).featureCount(2).hiddenSizes(3, 5).latentDim(3)
            .architecture(VaeConfig.ArchitectureKind.CONV1D).beta(2.5).build(),
        VaeConfig.builder().windowLength(6).featureCount(2).hiddenSizes(8, 5).latentDim(3)
            .conditioning(VaeConfig.Conditioning.TIME_OF_WEEK).beta(2.5).build(),
        VaeConfig.builder().windowLength(9).featureCount(1).hiddenSizes(4).latentDim(2)
            .architecture(VaeConfig.ArchitectureKind.CONV1D)
            .conditioning(VaeConfig.Conditioning.TIME_OF_WEEK).beta(2.5).build())) {
      Architecture arch = Architecture.of(config);
      Random random = new Random(11);
      VaeGraph graph = VaeGraph.build(arch, config.beta(), 0, false, random);
      int rows = 7;
      int n = config.windowSize();
      INDArray x = Nd4j.create(VaeTrainer.standardNormal(random, rows * n),
          new long[] {rows, n}, 'c');
      INDArray eps = Nd4j.create(VaeTrainer.standardNormal(random,
          rows * config.latentDim()), new long[] {rows, config.latentDim()}, 'c');
      INDArray condition = null;
      Map<String, INDArray> feed = new java.util.HashMap<>(Map.of(VaeGraph.INPUT, x,
          VaeGraph.NOISE, eps, VaeGraph.MASK, Nd4j.ones(DataType.FLOAT, rows, n)));
      if (config.conditional()) {
        long[] ts = new long[rows];
        for (int i = 0; i < rows; i++) {
          ts[i] = 1_700_000_000_000L + i * 7_777_777L;
        }
        condition = Nd4j.create(config.conditioning().encodeAll(ts, config.conditionZone()),
            new long[] {rows, 4}, 'c');
        feed.put(VaeGraph.CONDITION, condition);
      }
      Map<String, INDArray> out = graph.sameDiff().output(feed, VaeGraph.RECONSTRUCTION,
          VaeGraph.WEIGHTED_KL);
      double[] terms = VaeTrainer.lossTerms(new VaeNetwork(arch, graph.params()), x, eps, null,
          false, condition);
      assertThat(out.get(VaeGraph.RECONSTRUCTION).getDouble(0))
          .as(config.architecture() + " " + config.conditioning())
          .isCloseTo(terms[0], within(1e-3));
      assertThat(out.get(VaeGraph.WEIGHTED_KL).getDouble(0))
          .isCloseTo(config.beta() * terms[1], within(1e-4));
    }
  }

  /** Probability that a random spiked window outscores a random clean one. */
  static double auc(ScoreBatch scores, boolean[] positive) {
    long wins = 0;
    long ties = 0;
    long pairs = 0;
    for (int i = 0; i < positive.length; i++) {
      if (!positive[i]) {
        continue;
      }
      for (int j = 0; j < positive.length; j++) {
        if (positive[j]) {
          continue;
        }
        pairs++;
        double a = scores.anomalyScore(i);
        double b = scores.anomalyScore(j);
        wins += a > b ? 1 : 0;
        ties += a == b ? 1 : 0;
      }
    }
    return (wins + ties / 2.0) / pairs;
  }
}
