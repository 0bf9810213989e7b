package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link VaeConfig.ScoreTarget}: a last-record model scores the log-probability of the scored
 * record's values only, with the whole window as the encoder's context.
 */
class ScoreTargetTest {

  private static final int W = 16;

  private static VaeConfig config(VaeConfig.ScoreTarget target) {
    return VaeConfig.builder().windowLength(W).hiddenSizes(16, 8).latentDim(2).epochs(6)
        .batchSize(64).learningRate(3e-3).mcSamples(4).seed(11).scoreTarget(target).build();
  }

  private static TrainingSet sine() {
    int length = 800;
    return TrainingSet.builder(List.of("value"), W, 1)
        .addSeries("sine", Synthetic.timestamps(length), Synthetic.sine(length, 3)).build();
  }

  /** The same weights, noise and threshold, scoring another target. */
  private static AnomalyModel retargeted(AnomalyModel m, VaeConfig.ScoreTarget target) {
    return new AnomalyModel(m.features(), m.windowLength(), m.threshold(), m.normaliser(),
        m.network(), m.eps(), m.maxMissing(), m.reconstruction(), m.conditioning(),
        m.conditionZone(), target);
  }

  @Test
  void aLastRecordScoreSeesTheScoredRecordAndNotTheRestOfTheWindow() {
    AnomalyModel last = VaeTrainer.train(sine(), config(VaeConfig.ScoreTarget.LAST_RECORD), null)
        .model();
    AnomalyModel whole = retargeted(last, VaeConfig.ScoreTarget.WINDOW);
    float[] clean = Synthetic.windows(Synthetic.sine(W, 8), W)[0];
    float[] spikeInside = clean.clone();
    spikeInside[5] += 15;
    float[] spikeLast = clean.clone();
    spikeLast[W - 1] += 15;
    float[][] windows = {clean, spikeInside, spikeLast};

    ScoreBatch byLast = last.score(windows);
    ScoreBatch byWindow = whole.score(windows);
    // The whole window's score sees a spike anywhere in it.
    assertThat(byWindow.anomalyScore(1)).isGreaterThan(byWindow.anomalyScore(0) + 20);
    assertThat(byWindow.anomalyScore(2)).isGreaterThan(byWindow.anomalyScore(0) + 20);
    // The last record's score sees the spike when it is the scored record, and far less of one
    // that is only context (it still moves the encoding a little).
    assertThat(byLast.anomalyScore(2)).isGreaterThan(byLast.anomalyScore(0) + 20);
    assertThat(byLast.anomalyScore(1) - byLast.anomalyScore(0))
        .isLessThan((byWindow.anomalyScore(1) - byWindow.anomalyScore(0)) / 4);
    // One record's log-probability is a few nats, a window's about W times that.
    assertThat(Math.abs(byLast.logProbability(0)))
        .isLessThan(Math.abs(byWindow.logProbability(0)) / 4);
    // The latent mean does not depend on the target.
    assertThat(byLast.latentMean(0)).containsExactly(byWindow.latentMean(0));
  }

  @Test
  void theJavaKernelAndNd4jsPathAgreeAndTheContributionsSumToTheScore() {
    AnomalyModel last = VaeTrainer.train(sine(), config(VaeConfig.ScoreTarget.LAST_RECORD), null)
        .model();
    assertThat(last.usesJavaKernel()).isTrue();
    AnomalyModel nd4j = DenseGaussianKernelTest.withKernel("nd4j",
        () -> last.withThreshold(last.threshold()));
    assertThat(nd4j.usesJavaKernel()).isFalse();
    float[][] windows = Synthetic.windows(Synthetic.sine(200, 5), W);
    windows[3][W - 1] += 9;
    windows[9][2] -= 9;
    ScoreBatch java = last.score(windows);
    ScoreBatch reference = nd4j.score(windows);
    double[][] shares = last.contributions(windows);
    double[][] referenceShares = nd4j.contributions(windows);
    for (int i = 0; i < windows.length; i++) {
      double expected = reference.logProbability(i);
      assertThat(java.logProbability(i)).as("window %d", i)
          .isCloseTo(expected, within(1e-4 * Math.max(1, Math.abs(expected))));
      assertThat(shares[i][0]).isCloseTo(java.anomalyScore(i), within(1e-3));
      assertThat(referenceShares[i][0]).isCloseTo(java.anomalyScore(i), within(1e-3));
    }
  }

  @Test
  void theThresholdIsCalibratedOnLastRecordScoresAndTheTargetTravelsInThePayload() {
    TrainingSet data = sine();
    TrainedModel trained = VaeTrainer.train(data, config(VaeConfig.ScoreTarget.LAST_RECORD),
        null);
    AnomalyModel model = trained.model();
    ScoreBatch own = model.score(data.windows());
    int above = 0;
    for (int i = 0; i < own.size(); i++) {
      above += own.isAnomaly(i) ? 1 : 0;
    }
    // quantile 0.995 of the model's own (last-record) training scores: about 0.5 % above it.
    assertThat(above).isBetween(1, (int) Math.ceil(0.01 * own.size()));

    ModelBundle bundle = ModelBundle.fromBytes(trained.toBundle("m", 1, Instant.EPOCH)
        .toBytes());
    assertThat(bundle.manifest().trainingOptions()).containsEntry("scoreTarget", "LAST_RECORD");
    assertThat(bundle.manifest().libraryVersions()).containsEntry("payloadFormat", "4");
    AnomalyModel loaded = bundle.load();
    assertThat(loaded.scoreTarget()).isEqualTo(VaeConfig.ScoreTarget.LAST_RECORD);
    float[][] some = java.util.Arrays.copyOf(data.windows(), 20);
    ScoreBatch before = model.score(some);
    ScoreBatch after = loaded.score(some);
    for (int i = 0; i < some.length; i++) {
      assertThat(after.logProbability(i)).isEqualTo(before.logProbability(i));
    }
    // A whole-window model is still written in the format earlier scorers read.
    TrainedModel plain = VaeTrainer.train(data, config(VaeConfig.ScoreTarget.WINDOW), null);
    assertThat(plain.toBundle("m", 1, Instant.EPOCH).manifest().libraryVersions())
        .containsEntry("payloadFormat", "2");
  }

  @Test
  void aLastRecordWithNoObservedValueIsUnscorable() {
    VaeConfig cfg = config(VaeConfig.ScoreTarget.LAST_RECORD).toBuilder().maxMissing(2).build();
    AnomalyModel model = VaeTrainer.train(TrainingSet.builder(List.of("value"), W, 1)
        .maxMissing(2).addSeries("s", Synthetic.timestamps(800), Synthetic.sine(800, 3))
        .build(), cfg, null).model();
    float[] clean = Synthetic.windows(Synthetic.sine(W, 8), W)[0];
    float[] gapInside = clean.clone();
    gapInside[4] = Float.NaN;
    float[] gapLast = clean.clone();
    gapLast[W - 1] = Float.NaN;
    ScoreBatch s = model.score(new float[][] {gapInside, gapLast});
    assertThat(s.isScored(0)).isTrue();
    assertThat(s.isScored(1)).isFalse();
  }

  @Test
  void targetsParseByLabelOrNameAndRefuseOthers() {
    assertThat(VaeConfig.ScoreTarget.parse("last-record"))
        .isEqualTo(VaeConfig.ScoreTarget.LAST_RECORD);
    assertThat(VaeConfig.ScoreTarget.parse("WINDOW")).isEqualTo(VaeConfig.ScoreTarget.WINDOW);
    assertThatThrownBy(() -> VaeConfig.ScoreTarget.parse("point"))
        .hasMessage("'point' is not a score target; expected window or last-record");
    assertThat(VaeConfig.builder().build().scoreTarget())
        .isEqualTo(VaeConfig.ScoreTarget.LAST_RECORD);
  }
}
