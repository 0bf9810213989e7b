package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A one-dimensional latent space is a valid choice ({@code --latent 1}) and must train. */
class OneDimensionalLatentTest {

  @Test
  void trainsAndScoresWithOneLatentDimension() {
    VaeConfig config = VaeConfig.builder().windowLength(8).featureCount(1).hiddenSizes(4)
        .latentDim(1).epochs(2).build();
    TrainingSet data = TrainingSet.builder(List.of("v"), 8, 1)
        .addSeries("s", Synthetic.timestamps(300), Synthetic.sine(300, 5)).build();
    TrainedModel trained = VaeTrainer.train(data, config, null);
    ScoreBatch scores = trained.model().score(new float[][] {data.windows()[0]});
    assertThat(scores.latentMean(0)).hasSize(1);
    assertThat(scores.logProbability(0)).isFinite();
    assertThat(trained.history()).hasSize(2)
        .allSatisfy(s -> assertThat(s.kl()).isFinite().isGreaterThanOrEqualTo(0));
  }
}
