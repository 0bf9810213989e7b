package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class VaeConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    VaeConfig c = VaeConfig.builder().build();
    assertThat(c.windowLength()).isEqualTo(32);
    assertThat(c.featureCount()).isEqualTo(1);
    assertThat(c.hiddenSizes()).containsExactly(32, 16);
    assertThat(c.latentDim()).isEqualTo(4);
    assertThat(c.learningRate()).isEqualTo(3e-3);
    assertThat(c.minSteps()).isZero();
    assertThat(c.epochsFor(10_000)).isEqualTo(30);
    // A short history trains for at least minSteps gradient steps: 720 windows are 6 batches.
    VaeConfig shortHistory = VaeConfig.builder().minSteps(400).build();
    assertThat(shortHistory.epochsFor(720)).isEqualTo(67);
    assertThat(shortHistory.epochsFor(100_000)).isEqualTo(30);
    assertThat(shortHistory.epochsFor(1)).isEqualTo(400);
    assertThat(VaeConfig.builder().minSteps(1_000_000).build().epochsFor(1))
        .isEqualTo(VaeConfig.MAX_EPOCHS);
    assertThat(c.epochs()).isEqualTo(30);
    assertThat(c.batchSize()).isEqualTo(128);
    assertThat(c.beta()).isEqualTo(1.0);
    // L = 1 since issue #3 session 8 (P13: within 0.6 NAB points of L = 8 for a centred model).
    assertThat(c.mcSamples()).isEqualTo(1);
    assertThat(c.seed()).isEqualTo(42);
    assertThat(c.thresholdQuantile()).isEqualTo(0.995);
    // Centred since issue #3 session 8 (one centred model beat raw windows on NAB); a Bernoulli
    // model's values must stay in [0, 1], so it stays raw unless told otherwise.
    assertThat(c.centreWindows()).isTrue();
    VaeConfig bernoulli = VaeConfig.builder()
        .reconstruction(VaeConfig.Reconstruction.BERNOULLI).build();
    assertThat(bernoulli.centreWindows()).isFalse();
    assertThat(bernoulli.toBuilder().build()).isEqualTo(bernoulli);
    assertThat(VaeConfig.builder().centreWindows(false).build().centreWindows()).isFalse();
    assertThat(c.klAnnealEpochs()).isZero();
    assertThat(c.freeBits()).isZero();
    assertThat(c.validationFraction()).isZero();
    assertThat(c.patience()).isZero();
    assertThat(c.thresholdMethod()).isEqualTo(VaeConfig.ThresholdMethod.QUANTILE);
    assertThat(c.architecture()).isEqualTo(VaeConfig.ArchitectureKind.DENSE);
    assertThat(c.conditioning()).isEqualTo(VaeConfig.Conditioning.NONE);
    assertThat(c.conditional()).isFalse();
    assertThat(c.conditionZone().getId()).isEqualTo("UTC");
    assertThat(c.toBuilder().build()).isEqualTo(c);
    VaeConfig every = VaeConfig.builder().centreWindows(true).klAnnealEpochs(5).freeBits(0.5)
        .validationFraction(0.2).patience(3).thresholdMethod(VaeConfig.ThresholdMethod.POT)
        .thresholdQuantile(0.98).thresholdRisk(1e-4)
        .architecture(VaeConfig.ArchitectureKind.CONV1D)
        .conditioning(VaeConfig.Conditioning.TIME_OF_WEEK)
        .conditionZone(java.time.ZoneId.of("Europe/Berlin")).build();
    assertThat(every.toBuilder().build()).isEqualTo(every);
  }

  @Test
  void klAnnealingRampsBetaAndATargetAlertRateIsAQuantile() {
    VaeConfig c = VaeConfig.builder().beta(2.0).klAnnealEpochs(4).build();
    assertThat(c.betaAt(1)).isEqualTo(0.5);
    assertThat(c.betaAt(2)).isEqualTo(1.0);
    assertThat(c.betaAt(4)).isEqualTo(2.0);
    assertThat(c.betaAt(9)).isEqualTo(2.0);
    assertThat(VaeConfig.builder().beta(2.0).build().betaAt(1)).isEqualTo(2.0);
    assertThat(VaeConfig.builder().targetAlertRate(0.01).build().thresholdQuantile())
        .isCloseTo(0.99, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void hiddenSizesAreImmutable() {
    VaeConfig c = VaeConfig.builder().hiddenSizes(8, 4).build();
    assertThatThrownBy(() -> c.hiddenSizes().add(2))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        bad("windowLength", b -> b.windowLength(0)),
        bad("featureCount", b -> b.featureCount(0)),
        bad("hiddenSizes", b -> b.hiddenSizes()),
        bad("hiddenSizes", b -> b.hiddenSizes(8, 0)),
        bad("latentDim", b -> b.latentDim(0)),
        bad("learningRate", b -> b.learningRate(0)),
        bad("learningRate", b -> b.learningRate(Double.NaN)),
        bad("epochs", b -> b.epochs(0)),
        bad("batchSize", b -> b.batchSize(0)),
        bad("beta", b -> b.beta(0)),
        bad("beta", b -> b.beta(Double.POSITIVE_INFINITY)),
        bad("mcSamples", b -> b.mcSamples(0)),
        bad("thresholdQuantile", b -> b.thresholdQuantile(0)),
        bad("thresholdQuantile", b -> b.thresholdQuantile(1.5)),
        bad("klAnnealEpochs", b -> b.klAnnealEpochs(-1)),
        bad("maxMissing", b -> b.maxMissing(-1)),
        bad("BERNOULLI", b -> b.reconstruction(VaeConfig.Reconstruction.BERNOULLI)
            .centreWindows(true)),
        bad("maxMissing", b -> b.windowLength(4).maxMissing(4)),
        bad("freeBits", b -> b.freeBits(-0.1)),
        bad("validationFraction", b -> b.validationFraction(1.0)),
        bad("patience", b -> b.patience(-1)),
        bad("validationFraction > 0", b -> b.patience(3)),
        bad("thresholdRisk", b -> b.thresholdRisk(0)),
        bad("thresholdRisk must be below", b -> b.thresholdMethod(
            VaeConfig.ThresholdMethod.POT).thresholdQuantile(0.99).thresholdRisk(0.02)),
        bad("architecture", b -> b.architecture(null)),
        bad("conditioning", b -> b.conditioning(null)),
        bad("conditionZone", b -> b.conditionZone(null)),
        bad("windowLength * featureCount", b -> b.windowLength(1 << 16).featureCount(1 << 8)));
  }

  private static Arguments bad(String field, UnaryOperator<VaeConfig.Builder> change) {
    return Arguments.of(field, change);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsInvalidValues(String field, UnaryOperator<VaeConfig.Builder> change) {
    assertThatThrownBy(() -> change.apply(VaeConfig.builder()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(field);
  }

  @Test
  void recordConstructorValidatesToo() {
    assertThatThrownBy(() -> new VaeConfig(32, 1, List.of(), 4, 1e-3, 1, 1, 1, 1, 1, 0.9, false, 0,
        0, 0, 0, VaeConfig.ThresholdMethod.QUANTILE, 1e-3, 0,
        VaeConfig.Reconstruction.GAUSSIAN, VaeConfig.ArchitectureKind.DENSE,
        VaeConfig.Conditioning.NONE, java.time.ZoneOffset.UTC, VaeConfig.ScoreTarget.WINDOW, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hiddenSizes");
  }
}
