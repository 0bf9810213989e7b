package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class VaeTrainerTest {

  private static final Logger LOG = LoggerFactory.getLogger(VaeTrainerTest.class);

  @Test
  void lossDecreasesAndHistoryIsComplete() {
    TrainedModel trained = Synthetic.sineModel();
    List<EpochStats> history = trained.history();
    assertThat(history).hasSize(Synthetic.sineConfig().epochs());
    EpochStats first = history.get(0);
    EpochStats last = history.get(history.size() - 1);
    LOG.info("sine training: first epoch {}, last epoch {}", first, last);
    assertThat(last.loss()).isLessThan(first.loss() - 10);
    assertThat(last.kl()).isPositive();
    assertThat(last.loss()).isCloseTo(last.reconstruction() + last.kl(),
        org.assertj.core.data.Offset.offset(1e-6));
    assertThat(history).allSatisfy(s -> assertThat(s.windowsPerSecond()).isPositive());
  }

  @Test
  void anomaliesScoreAboveThresholdAndNormalWindowsRarelyDo() {
    AnomalyModel model = Synthetic.sineModel().model();
    // Held-out normal data: another noise seed, another phase of the sine.
    double[][] held = Synthetic.sine(1200, 99);
    float[][] normal = Synthetic.windows(held, Synthetic.WINDOW);
    ScoreBatch normalScores = model.score(normal);
    int falsePositives = 0;
    double normalMax = Double.NEGATIVE_INFINITY;
    double normalSum = 0;
    for (int i = 0; i < normalScores.size(); i++) {
      falsePositives += normalScores.isAnomaly(i) ? 1 : 0;
      normalMax = Math.max(normalMax, normalScores.anomalyScore(i));
      normalSum += normalScores.anomalyScore(i);
    }
    double fpr = (double) falsePositives / normalScores.size();

    double sigma = Synthetic.sineStd();
    List<float[]> anomalous = new ArrayList<>();
    for (int s = 0; s < 200; s += 10) {
      float[] spike = normal[s].clone();
      spike[Synthetic.WINDOW / 2] += (float) (8 * sigma);
      anomalous.add(spike);
      float[] shift = normal[s].clone();
      for (int t = Synthetic.WINDOW / 2; t < Synthetic.WINDOW; t++) {
        shift[t] += (float) (2 * sigma);
      }
      anomalous.add(shift);
    }
    ScoreBatch anomalyScores = model.score(anomalous.toArray(new float[0][]));
    int detected = 0;
    double anomalyMin = Double.POSITIVE_INFINITY;
    for (int i = 0; i < anomalyScores.size(); i++) {
      detected += anomalyScores.isAnomaly(i) ? 1 : 0;
      anomalyMin = Math.min(anomalyMin, anomalyScores.anomalyScore(i));
    }
    LOG.info("threshold {}, normal mean {} max {} fpr {}, anomaly min {} detected {}/{}",
        model.threshold(), normalSum / normalScores.size(), normalMax, fpr, anomalyMin,
        detected, anomalyScores.size());
    assertThat(fpr).isLessThan(0.02);
    assertThat(detected).isGreaterThanOrEqualTo((int) (0.9 * anomalyScores.size()));
    assertThat(anomalyMin).isGreaterThan(normalSum / normalScores.size());
  }

  @Test
  void sameSeedGivesSameModel() {
    VaeConfig config = Synthetic.sineConfig().toBuilder().epochs(2).build();
    TrainingSet data = Synthetic.sineTrainingSet();
    TrainedModel a = VaeTrainer.train(data, config, null);
    TrainedModel b = VaeTrainer.train(data, config, null);
    assertThat(a.model().threshold()).isEqualTo(b.model().threshold());
    assertThat(a.history().get(1).loss()).isEqualTo(b.history().get(1).loss());
  }

  @Test
  void rejectsDataThatDisagreesWithConfig() {
    TrainingSet data = Synthetic.sineTrainingSet();
    VaeConfig config = Synthetic.sineConfig().toBuilder().windowLength(16).build();
    assertThatThrownBy(() -> VaeTrainer.train(data, config, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("windowLength");
  }

  @Test
  void listenerSeesEveryEpoch() {
    VaeConfig config = Synthetic.sineConfig().toBuilder().epochs(2).build();
    List<EpochStats> seen = new ArrayList<>();
    TrainedModel trained = VaeTrainer.train(Synthetic.sineTrainingSet(), config, seen::add);
    assertThat(seen).containsExactlyElementsOf(trained.history());
    assertThat(seen).extracting(EpochStats::epoch).containsExactly(1, 2);
  }

  @Test
  void thresholdIsTheConfiguredQuantileOfTrainingScores() {
    TrainedModel trained = Synthetic.sineModel();
    ScoreBatch scores = trained.model().score(trained.data().windows());
    long above = 0;
    for (int i = 0; i < scores.size(); i++) {
      above += scores.isAnomaly(i) ? 1 : 0;
    }
    double expectedAbove = (1 - Synthetic.sineConfig().thresholdQuantile()) * scores.size();
    assertThat((double) above).isBetween(expectedAbove - 2, expectedAbove + 2);
    assertThat(trained.thresholdMethod()).isEqualTo("quantile(0.995)");
  }

  @Test
  void warmStartContinuesFromTheGivenModelsWeights() {
    TrainedModel trained = Synthetic.sineModel();
    VaeConfig oneEpoch = Synthetic.sineConfig().toBuilder().epochs(1).build();
    TrainedModel fresh = VaeTrainer.train(Synthetic.sineTrainingSet(), oneEpoch, null);
    TrainedModel warm = VaeTrainer.train(Synthetic.sineTrainingSet(), oneEpoch, null,
        trained.model());
    double trainedLoss = trained.history().get(trained.history().size() - 1).loss();
    double freshLoss = fresh.history().get(0).loss();
    double warmLoss = warm.history().get(0).loss();
    LOG.info("one epoch: fresh {}, warm-started {}; the warm start's own last epoch {}",
        freshLoss, warmLoss, trainedLoss);
    // One epoch from the trained weights stays near where they were; from scratch it is far.
    assertThat(warmLoss).isLessThan(freshLoss - 10);
    assertThat(warmLoss).isLessThan(trainedLoss + 0.5 * (freshLoss - trainedLoss));
  }

  @Test
  void warmStartRejectsAModelOfOtherLayers() {
    TrainedModel trained = Synthetic.sineModel();
    VaeConfig wider = Synthetic.sineConfig().toBuilder().latentDim(
        Synthetic.sineConfig().latentDim() + 1).epochs(1).build();
    assertThatThrownBy(() -> VaeTrainer.train(Synthetic.sineTrainingSet(), wider, null,
        trained.model()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("warm-start model's layers");
  }
}
