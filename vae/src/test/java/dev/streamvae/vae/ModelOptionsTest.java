package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trainer's model options: each test fails if its option does nothing. */
class ModelOptionsTest {

  private static VaeConfig small() {
    return VaeConfig.builder().scoreTarget(VaeConfig.ScoreTarget.WINDOW)
        .windowLength(16).hiddenSizes(16, 8).latentDim(2).epochs(4)
        .batchSize(64).learningRate(3e-3).mcSamples(4).seed(11).centreWindows(false).build();
  }

  private static TrainingSet sine(int window) {
    int length = 800;
    return TrainingSet.builder(List.of("value"), window, 1)
        .addSeries("sine", Synthetic.timestamps(length), Synthetic.sine(length, 3)).build();
  }

  private static float[][] shifted(float[][] windows, float by) {
    float[][] out = new float[windows.length][];
    for (int i = 0; i < windows.length; i++) {
      out[i] = windows[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] += by;
      }
    }
    return out;
  }

  @Test
  void minStepsAddsEpochsToAShortHistoryAndIsRecorded() {
    // 785 windows in batches of 64 are 13 steps an epoch: 100 steps need 8 epochs, not 2.
    TrainingSet data = sine(16);
    TrainedModel trained = VaeTrainer.train(data, small().toBuilder().epochs(2).minSteps(100)
        .build(), null);
    assertThat(trained.history()).hasSize(8);
    assertThat(trained.history().get(0).epochs()).isEqualTo(8);
    assertThat(trained.toBundle("m", 1, Instant.EPOCH).manifest().trainingOptions())
        .containsEntry("minSteps", "100");
    assertThat(VaeTrainer.train(data, small().toBuilder().epochs(2).build(), null).history())
        .hasSize(2);
  }

  @Test
  void centredWindowsIgnoreTheLevelAndSurviveTheBundle() {
    TrainingSet data = sine(16);
    float[][] windows = java.util.Arrays.copyOf(data.windows(), 50);
    float[][] raised = shifted(windows, 40f);

    TrainedModel trained = VaeTrainer.train(data, small().toBuilder().centreWindows(true)
        .build(), null);
    AnomalyModel centred = trained.model();
    ScoreBatch base = centred.score(windows);
    ScoreBatch moved = centred.score(raised);
    for (int i = 0; i < windows.length; i++) {
      assertThat(moved.logProbability(i)).isCloseTo(base.logProbability(i),
          org.assertj.core.data.Offset.offset(1e-3));
    }
    // Without centring the same shift (about 19 standard deviations) is a glaring anomaly.
    AnomalyModel plain = VaeTrainer.train(data, small(), null).model();
    assertThat(plain.score(raised).anomalyScore(0))
        .isGreaterThan(plain.score(windows).anomalyScore(0) + 100);

    // The flag travels in the payload: the loaded model still ignores the level.
    ModelBundle bundle = ModelBundle.fromBytes(trained.toBundle("m", 1, Instant.EPOCH)
        .toBytes());
    assertThat(bundle.manifest().trainingOptions()).containsEntry("centreWindows", "true");
    AnomalyModel loaded = bundle.load();
    assertThat(loaded.score(raised).logProbability(0))
        .isCloseTo(base.logProbability(0), org.assertj.core.data.Offset.offset(1e-3));
  }

  @Test
  void klAnnealingChangesTheWeightFromEpochToEpoch() {
    TrainingSet data = sine(16);
    // Annealed over 2 epochs to beta 1: epoch 1 trains at 0.5, then at 1.
    TrainedModel annealed = VaeTrainer.train(data, small().toBuilder().epochs(3)
        .klAnnealEpochs(2).build(), null);
    TrainedModel constantHalf = VaeTrainer.train(data, small().toBuilder().epochs(3).beta(0.5)
        .build(), null);
    assertThat(annealed.history()).extracting(EpochStats::beta).containsExactly(0.5, 1.0, 1.0);
    // Same seed, same beta in epoch 1: the same first epoch; then the schedule must bite.
    assertThat(annealed.history().get(0).reconstruction())
        .isEqualTo(constantHalf.history().get(0).reconstruction());
    assertThat(annealed.history().get(2).kl()).isNotEqualTo(constantHalf.history().get(2).kl());
    assertThat(annealed.history().get(2).kl()).isLessThan(constantHalf.history().get(2).kl());
  }

  @Test
  void freeBitsKeepTheLatentInUseUnderAHeavyKlWeight() {
    TrainingSet data = sine(16);
    VaeConfig heavy = small().toBuilder().beta(20).epochs(8).build();
    double collapsed = VaeTrainer.train(data, heavy, null).history().get(7).kl();
    double floored = VaeTrainer.train(data, heavy.toBuilder().freeBits(1.0).build(), null)
        .history().get(7).kl();
    // Below one nat per dimension the KL term has no gradient, so the encoder keeps using the
    // latent; without the floor a weight of 20 squeezes the KL towards 0.
    assertThat(floored).isGreaterThan(collapsed + 0.5);
  }

  @Test
  void earlyStoppingStopsAndKeepsTheBestEpoch() {
    TrainingSet data = sine(16);
    VaeConfig config = small().toBuilder().epochs(30).validationFraction(0.25).patience(2)
        .learningRate(1e-2).build();
    TrainedModel stopped = VaeTrainer.train(data, config, null);
    List<EpochStats> history = stopped.history();
    assertThat(history.size()).isLessThan(30);
    assertThat(history).allSatisfy(e -> assertThat(e.validationLoss()).isFinite());
    int best = 0;
    for (int i = 1; i < history.size(); i++) {
      if (history.get(i).validationLoss() < history.get(best).validationLoss()) {
        best = i;
      }
    }
    assertThat(history.size() - 1 - best).isEqualTo(2);
    // The kept weights are the best epoch's: a run stopped there by its epoch count agrees.
    TrainedModel upToBest = VaeTrainer.train(data, config.toBuilder().epochs(best + 1)
        .patience(0).build(), null);
    float[][] probe = java.util.Arrays.copyOf(data.windows(), 20);
    ScoreBatch a = stopped.model().score(probe);
    ScoreBatch b = upToBest.model().score(probe);
    for (int i = 0; i < probe.length; i++) {
      assertThat(a.logProbability(i)).isEqualTo(b.logProbability(i));
    }
    // Without a split there is no validation loss.
    assertThat(VaeTrainer.train(data, small().toBuilder().epochs(1).build(), null).history()
        .get(0).validationLoss()).isNaN();
  }

  @Test
  void peaksOverThresholdExtrapolatesTheTail() {
    java.util.Random random = new java.util.Random(5);
    double[] exponential = new double[20_000];
    for (int i = 0; i < exponential.length; i++) {
      exponential[i] = -Math.log(1 - random.nextDouble());
    }
    // P(X > z) = exp(-z): the 1e-5 tail is at 11.5, beyond the sample's largest value (~10).
    PeaksOverThreshold.Result pot = PeaksOverThreshold.fit(exponential, 0.98, 1e-5);
    assertThat(pot.threshold()).isCloseTo(-Math.log(1e-5),
        org.assertj.core.data.Offset.offset(1.5));
    assertThat(pot.description()).startsWith("pot(risk=0.00001, u=quantile(0.98)");
    // Too few excesses: the empirical quantile, and the description says so.
    PeaksOverThreshold.Result few = PeaksOverThreshold.fit(new double[] {1, 2, 3, 4, 5}, 0.5,
        0.1);
    assertThat(few.description()).contains("pot fallback");
    assertThat(few.threshold()).isCloseTo(4.6, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void thePotThresholdIsStoredInTheModelAndItsManifest() {
    TrainingSet data = sine(16);
    VaeConfig base = small().toBuilder().epochs(2).build();
    TrainedModel quantile = VaeTrainer.train(data, base, null);
    TrainedModel pot = VaeTrainer.train(data, base.toBuilder()
        .thresholdMethod(VaeConfig.ThresholdMethod.POT).thresholdQuantile(0.95)
        .thresholdRisk(1e-4).build(), null);
    assertThat(pot.model().threshold()).isNotEqualTo(quantile.model().threshold());
    ModelBundle bundle = pot.toBundle("m", 1, Instant.EPOCH);
    assertThat(bundle.manifest().thresholdMethod()).startsWith("pot(risk=0.0001");
    assertThat(ModelBundle.fromBytes(bundle.toBytes()).load().threshold())
        .isEqualTo(pot.model().threshold());
  }

  @Test
  void missingValuesAreImputedAndLeftOutOfTheLikelihood() {
    int length = 800;
    double[][] values = Synthetic.sine(length, 3);
    for (int t = 7; t < length; t += 37) {
      values[t][0] = Double.NaN; // about one missing value in every other window
    }
    VaeConfig config = small().toBuilder().maxMissing(2).build();
    TrainingSet data = TrainingSet.builder(List.of("value"), 16, 1).maxMissing(2)
        .addSeries("s", Synthetic.timestamps(length), values).build();
    TrainedModel trained = VaeTrainer.train(data, config, null);
    assertThat(trained.history()).allSatisfy(e -> assertThat(e.loss()).isFinite());
    AnomalyModel model = trained.model();

    float[] clean = Synthetic.windows(Synthetic.sine(16, 8), 16)[0];
    float[] gap = clean.clone();
    gap[5] = Float.NaN;
    float[] spike = clean.clone();
    spike[5] += 40;
    ScoreBatch s = model.score(new float[][] {clean, gap, spike});
    // Scored on the observed values: finite, and whatever the missing value "was" (a spike
    // here) cannot raise it, because it is not part of the likelihood.
    assertThat(s.isScored(1)).isTrue();
    assertThat(s.anomalyScore(1)).isLessThan(s.anomalyScore(2) - 50);
    double[] shares = model.contributions(new float[][] {gap})[0];
    assertThat(shares[0]).isCloseTo(s.anomalyScore(1), org.assertj.core.data.Offset.offset(1e-2));
    // More missing values than allowed: unscorable, as every gap is for a model without it.
    float[] holes = clean.clone();
    holes[1] = Float.NaN;
    holes[2] = Float.NaN;
    holes[3] = Float.NaN;
    assertThat(model.score(new float[][] {holes}).isScored(0)).isFalse();
    AnomalyModel strict = VaeTrainer.train(sine(16), small(), null).model();
    assertThat(strict.score(new float[][] {gap}).isScored(0)).isFalse();
    // The allowance travels in the payload.
    AnomalyModel loaded = ModelBundle.fromBytes(trained.toBundle("m", 1, Instant.EPOCH)
        .toBytes()).load();
    assertThat(loaded.maxMissing()).isEqualTo(2);
    assertThat(loaded.score(new float[][] {gap}).anomalyScore(0))
        .isCloseTo(s.anomalyScore(1), org.assertj.core.data.Offset.offset(1e-3));
  }

  @Test
  void bernoulliReconstructionModelsValuesInTheUnitInterval() {
    int length = 800;
    java.util.Random random = new java.util.Random(6);
    double[][] ratio = new double[length][1];
    for (int t = 0; t < length; t++) {
      ratio[t][0] = 0.5 + 0.3 * Math.sin(2 * Math.PI * t / 50) + 0.01 * random.nextGaussian();
    }
    TrainingSet data = TrainingSet.builder(List.of("ratio"), 16, 1)
        .addSeries("s", Synthetic.timestamps(length), ratio).build();
    VaeConfig bernoulli = small().toBuilder().epochs(6)
        .reconstruction(VaeConfig.Reconstruction.BERNOULLI).build();
    TrainedModel trained = VaeTrainer.train(data, bernoulli, null);
    AnomalyModel model = trained.model();
    float[][] windows = java.util.Arrays.copyOf(data.windows(), 40);
    ScoreBatch scores = model.score(windows);
    // The score is the Bernoulli NLL of the raw values with the decoder's output as logits,
    // averaged over the model's L noise vectors: recomputed here by hand.
    float[] x0 = windows[0];
    org.nd4j.linalg.api.ndarray.INDArray[] enc = model.network().encode(
        org.nd4j.linalg.factory.Nd4j.create(x0, new long[] {1, x0.length}, 'c'));
    float[] eps = model.eps();
    int k = model.latentDim();
    double nll = 0;
    for (int sample = 0; sample < model.mcSamples(); sample++) {
      float[] z = new float[k];
      for (int j = 0; j < k; j++) {
        z[j] = (float) (enc[0].getDouble(0, j)
            + Math.exp(0.5 * enc[1].getDouble(0, j)) * eps[sample * k + j]);
      }
      org.nd4j.linalg.api.ndarray.INDArray logits = model.network().decode(
          org.nd4j.linalg.factory.Nd4j.create(z, new long[] {1, k}, 'c'))[0];
      for (int t = 0; t < x0.length; t++) {
        double l = logits.getDouble(0, t);
        nll += (Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l))) - x0[t] * l)
            / model.mcSamples();
      }
    }
    assertThat(scores.anomalyScore(0)).isCloseTo(nll, org.assertj.core.data.Offset.offset(1e-3));
    for (int i = 0; i < scores.size(); i++) {
      assertThat(scores.logProbability(i)).isNegative();
    }
    // The contributions use the same likelihood.
    assertThat(model.contributions(new float[][] {windows[0]})[0][0])
        .isCloseTo(scores.anomalyScore(0), org.assertj.core.data.Offset.offset(1e-2));
    // Carried in the payload and the manifest.
    ModelBundle bundle = ModelBundle.fromBytes(trained.toBundle("m", 1, Instant.EPOCH)
        .toBytes());
    assertThat(bundle.manifest().trainingOptions()).containsEntry("reconstruction",
        "BERNOULLI");
    assertThat(bundle.load().score(windows).logProbability(3))
        .isCloseTo(scores.logProbability(3), org.assertj.core.data.Offset.offset(1e-4));
    // Data outside [0, 1] is refused with a clear message.
    TrainingSet wide = TrainingSet.builder(List.of("v"), 16, 1)
        .addSeries("s", Synthetic.timestamps(100), Synthetic.sine(100, 1)).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> VaeTrainer.train(wide, bernoulli,
        null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1]");
  }
}
