package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.schemas.ReferenceWindow;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The conditional VAE ({@link VaeConfig.Conditioning#TIME_OF_WEEK}): a condition from each
 * window's last timestamp, fed to encoder and decoder, so that what is normal at one time of day
 * can be anomalous at another.
 */
class ConditionalVaeTest {

  private static final int WINDOW = 4;
  private static final long HALF_HOUR = 1_800_000L;
  /** Monday 2026-11-02 00:00 UTC. */
  private static final long START = Instant.parse("2026-11-02T00:00:00Z").toEpochMilli();
  private static final double NIGHT_LEVEL = 5;
  private static final double NOISE = 0.3;

  private static TrainedModel conditional;
  private static TrainedModel plain;

  /** 5 (night, 20:00-08:00 UTC) or 0 (day), plus noise; a record every half hour. */
  private static double level(long timestamp) {
    int hour = (int) Math.floorMod(timestamp / 3_600_000L, 24L);
    return hour >= 20 || hour < 8 ? NIGHT_LEVEL : 0;
  }

  private static TrainingSet dayAndNight(int days, long seed) {
    int length = days * 48;
    long[] ts = new long[length];
    double[][] values = new double[length][1];
    Random random = new Random(seed);
    for (int t = 0; t < length; t++) {
      ts[t] = START + t * HALF_HOUR;
      values[t][0] = level(ts[t]) + NOISE * random.nextGaussian();
    }
    return TrainingSet.builder(List.of("load"), WINDOW, 1).addSeries("s", ts, values).build();
  }

  private static VaeConfig config() {
    return VaeConfig.builder().scoreTarget(VaeConfig.ScoreTarget.WINDOW)
        .windowLength(WINDOW).hiddenSizes(16, 8).latentDim(2).epochs(20)
        .batchSize(64).learningRate(3e-3).mcSamples(8).seed(5).centreWindows(false).build();
  }

  private static synchronized TrainedModel conditional() {
    if (conditional == null) {
      conditional = VaeTrainer.train(dayAndNight(21, 1),
          config().toBuilder().conditioning(VaeConfig.Conditioning.TIME_OF_WEEK).build(), null);
    }
    return conditional;
  }

  private static synchronized TrainedModel plain() {
    if (plain == null) {
      plain = VaeTrainer.train(dayAndNight(21, 1), config(), null);
    }
    return plain;
  }

  /** Windows lying wholly inside the night of fresh data, with their own timestamps. */
  private static List<Object[]> nightWindows() {
    TrainingSet fresh = dayAndNight(3, 99);
    float[][] windows = fresh.windows();
    long[] ends = fresh.windowEnds();
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < windows.length; i++) {
      long first = ends[i] - (WINDOW - 1) * HALF_HOUR;
      if (level(first) == NIGHT_LEVEL && level(ends[i]) == NIGHT_LEVEL
          && level(first + HALF_HOUR) == NIGHT_LEVEL) {
        out.add(new Object[] {windows[i], ends[i]});
      }
    }
    return out;
  }

  private static double flaggedShare(AnomalyModel model, List<Object[]> windows, long shift) {
    float[][] x = new float[windows.size()][];
    long[] ts = new long[windows.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float[]) windows.get(i)[0];
      ts[i] = (long) windows.get(i)[1] + shift;
    }
    ScoreBatch batch = model.score(x, ts);
    int flagged = 0;
    for (int i = 0; i < x.length; i++) {
      flagged += batch.isAnomaly(i) ? 1 : 0;
    }
    return (double) flagged / x.length;
  }

  @Test
  void theConditionalModelFlagsTheNightLevelByDayWhereThePlainModelCannot() {
    List<Object[]> night = nightWindows();
    assertThat(night).hasSizeGreaterThan(40);
    long twelveHours = 12 * 3_600_000L;
    // At their own (night) times, neither model finds these windows unusual.
    assertThat(flaggedShare(conditional().model(), night, 0)).isLessThan(0.1);
    assertThat(flaggedShare(plain().model(), night, 0)).isLessThan(0.1);
    // The same values at midday: the conditional model flags them, the plain one, which has
    // seen this level (at night) and cannot know the time, does not.
    assertThat(flaggedShare(conditional().model(), night, twelveHours)).isGreaterThan(0.9);
    assertThat(flaggedShare(plain().model(), night, twelveHours)).isLessThan(0.1);
  }

  @Test
  void aConditionalModelNeedsTimestampsAndAPlainOneIgnoresThem() {
    float[][] windows = java.util.Arrays.copyOf(dayAndNight(1, 3).windows(), 5);
    assertThatThrownBy(() -> conditional().model().score(windows))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("time-of-week@UTC")
        .hasMessageContaining("timestamp");
    assertThatThrownBy(() -> conditional().model().contributions(windows))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamp");
    assertThatThrownBy(() -> conditional().model().score(windows, new long[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 timestamps");
    ScoreBatch without = plain().model().score(windows);
    ScoreBatch with = plain().model().score(windows, new long[] {1, 2, 3, 4, 5});
    for (int i = 0; i < windows.length; i++) {
      assertThat(with.logProbability(i)).isEqualTo(without.logProbability(i));
    }
  }

  @Test
  void theConditionIsTimeOfDayAndDayOfWeekOnTheUnitCircleInTheChosenZone() {
    float[] c = new float[4];
    VaeConfig.Conditioning tow = VaeConfig.Conditioning.TIME_OF_WEEK;
    tow.encode(Instant.parse("2026-11-16T00:00:00Z").toEpochMilli(), ZoneId.of("UTC"), c, 0);
    assertThat(c).containsExactly(new float[] {0, 1, 0, 1}, within(1e-6f));
    // Saturday noon: half a day, 5.5 days into the week.
    tow.encode(Instant.parse("2026-11-21T12:00:00Z").toEpochMilli(), ZoneId.of("UTC"), c, 0);
    double w = 2 * Math.PI * 5.5 / 7;
    assertThat(c).containsExactly(new float[] {0, -1, (float) Math.sin(w), (float) Math.cos(w)},
        within(1e-6f));
    // The same instant on New York's clock is Sunday 19:00.
    tow.encode(Instant.parse("2026-11-16T00:00:00Z").toEpochMilli(),
        ZoneId.of("America/New_York"), c, 0);
    double d = 2 * Math.PI * 19 / 24.0;
    double wk = 2 * Math.PI * (6 + 19 / 24.0) / 7;
    assertThat(c).containsExactly(new float[] {(float) Math.sin(d), (float) Math.cos(d),
        (float) Math.sin(wk), (float) Math.cos(wk)}, within(1e-6f));
    // A week later, the same condition.
    float[] later = new float[4];
    tow.encode(Instant.parse("2026-11-23T00:00:00Z").toEpochMilli(),
        ZoneId.of("America/New_York"), later, 0);
    assertThat(later).containsExactly(c, within(1e-5f));
  }

  @Test
  void theConditioningSurvivesTheBundleAndItsReferenceWindowsNeedTheirTimestamps()
      throws Exception {
    TrainedModel trained = conditional();
    ModelBundle bundle = ModelBundle.fromBytes(
        trained.toBundle("tow", 1, Instant.parse("2026-11-21T00:00:00Z")).toBytes());
    ModelManifest m = bundle.manifest();
    assertThat(m.conditioning()).isEqualTo("time-of-week@UTC");
    assertThat(m.trainingOptions()).containsEntry("conditioning", "TIME_OF_WEEK")
        .containsEntry("conditionZone", "UTC");
    assertThat(m.libraryVersions()).containsEntry("payloadFormat", "3");
    assertThat(m.referenceWindows()).isNotEmpty()
        .allSatisfy(r -> assertThat(r.timestamp()).isNotNull());
    AnomalyModel loaded = bundle.load();
    assertThat(loaded.conditioning()).isEqualTo(VaeConfig.Conditioning.TIME_OF_WEEK);
    assertThat(bundle.verifyReferences(loaded, 1e-5)).isEqualTo(m.referenceWindows().size());

    float[][] windows = java.util.Arrays.copyOf(trained.data().windows(), 30);
    long[] ends = java.util.Arrays.copyOf(trained.data().windowEnds(), 30);
    ScoreBatch a = trained.model().score(windows, ends);
    ScoreBatch b = loaded.score(windows, ends);
    for (int i = 0; i < windows.length; i++) {
      assertThat(b.logProbability(i)).isCloseTo(a.logProbability(i), within(1e-5));
    }

    // Reference windows moved by six hours no longer reproduce: the verifier uses the times.
    List<ReferenceWindow> moved = m.referenceWindows().stream()
        .map(r -> new ReferenceWindow(r.values(), r.logProbability(),
            r.timestamp() + 6 * 3_600_000L)).toList();
    ModelBundle shifted = bundle.withManifest(withReferences(m, moved));
    assertThatThrownBy(() -> shifted.verifyReferences(shifted.load(), 1e-5))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("reference window");
    // And without them the model cannot be checked at all.
    List<ReferenceWindow> untimed = m.referenceWindows().stream()
        .map(r -> new ReferenceWindow(r.values(), r.logProbability())).toList();
    ModelBundle noTimes = bundle.withManifest(withReferences(m, untimed));
    assertThatThrownBy(() -> noTimes.verifyReferences(noTimes.load(), 1e-5))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("no timestamp");
    // A manifest that hides the conditioning contradicts the payload.
    ModelBundle hidden = bundle.withManifest(withConditioning(m, "none"));
    assertThatThrownBy(hidden::load).isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("conditioning");
  }

  @Test
  void theZoneIsChosenAndCarriedWithTheModel() {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    TrainedModel trained = VaeTrainer.train(dayAndNight(3, 4), config().toBuilder().epochs(2)
        .conditioning(VaeConfig.Conditioning.TIME_OF_WEEK).conditionZone(berlin).build(), null);
    ModelBundle bundle = trained.toBundle("berlin", 1, Instant.EPOCH);
    assertThat(bundle.manifest().conditioning()).isEqualTo("time-of-week@Europe/Berlin");
    AnomalyModel loaded = bundle.load();
    assertThat(loaded.conditionZone()).isEqualTo(berlin);
    assertThat(bundle.verifyReferences(loaded, 1e-5)).isPositive();
  }

  private static ModelManifest withReferences(ModelManifest m, List<ReferenceWindow> refs) {
    return new ModelManifest(m.formatVersion(), m.modelName(), m.version(), m.createdAt(),
        m.features(), m.windowLength(), m.stride(), m.latentDim(), m.mcSamples(), m.threshold(),
        m.thresholdMethod(), m.training(), m.payloadSha256(), m.payloadSize(),
        m.libraryVersions(), m.trainingSeries(), m.conditioning(), m.normalisation(),
        m.validation(), refs, m.promotion(), m.signingKeyId(), m.trainingOptions());
  }

  private static ModelManifest withConditioning(ModelManifest m, String conditioning) {
    return new ModelManifest(m.formatVersion(), m.modelName(), m.version(), m.createdAt(),
        m.features(), m.windowLength(), m.stride(), m.latentDim(), m.mcSamples(), m.threshold(),
        m.thresholdMethod(), m.training(), m.payloadSha256(), m.payloadSize(),
        m.libraryVersions(), m.trainingSeries(), conditioning, m.normalisation(),
        m.validation(), m.referenceWindows(), m.promotion(), m.signingKeyId(),
        m.trainingOptions());
  }
}
