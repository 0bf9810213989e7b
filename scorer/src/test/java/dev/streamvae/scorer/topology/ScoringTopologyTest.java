package dev.streamvae.scorer.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.ActiveModel;
import dev.streamvae.scorer.model.EnvelopeVerifier;
import dev.streamvae.scorer.model.ModelSource;
import dev.streamvae.vae.ModelBundle;
import dev.streamvae.vae.TrainedModel;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScoringTopologyTest {

  private static final int WINDOW = 8;
  private static final int BATCH = 16;
  private static final long STEP = 60_000;
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  private static ActiveModel modelV1;
  private static ActiveModel modelV2;
  private static TrainingSet trainingData;
  private static ActiveModel conditionalModel;

  private final AtomicReference<ActiveModel> active = new AtomicReference<>();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> input;
  private TestOutputTopic<String, byte[]> scores;
  private TestOutputTopic<String, byte[]> alerts;
  private TestOutputTopic<String, byte[]> deadLetters;

  @BeforeAll
  static void trainModels() {
    TrainingSet.Builder data = TrainingSet.builder(List.of("value"), WINDOW, 1);
    for (int s = 0; s < 4; s++) {
      int n = 600;
      long[] ts = new long[n];
      double[][] values = new double[n][1];
      java.util.Random noise = new java.util.Random(s);
      for (int i = 0; i < n; i++) {
        ts[i] = T0.toEpochMilli() + i * STEP;
        values[i][0] = sine(i) + 0.05 * noise.nextGaussian();
      }
      data.addSeries("train-" + s, ts, values);
    }
    VaeConfig config = VaeConfig.builder().windowLength(WINDOW).featureCount(1)
        .hiddenSizes(16).latentDim(2).epochs(8).batchSize(64).mcSamples(4).seed(3).build();
    trainingData = data.build();
    TrainedModel trained = VaeTrainer.train(trainingData, config, s -> { });
    modelV1 = activate(trained.toBundle("m", 1, T0));
    modelV2 = activate(trained.toBundle("m", 2, T0));
  }

  /** A time-of-week conditional model of the same data, verified as the registry would. */
  private static synchronized ActiveModel conditionalModel() {
    if (conditionalModel == null) {
      VaeConfig config = VaeConfig.builder().windowLength(WINDOW).featureCount(1)
          .hiddenSizes(16).latentDim(2).epochs(4).batchSize(64).mcSamples(4).seed(3)
          .conditioning(VaeConfig.Conditioning.TIME_OF_WEEK).build();
      TrainedModel trained = VaeTrainer.train(trainingData, config, s -> { });
      EnvelopeVerifier verifier = EnvelopeVerifier.lenient(32);
      EnvelopeVerifier.Verified verified = verifier.load(
          verifier.decode(trained.toBundle("m", 3, T0).toBytes()));
      conditionalModel = new ActiveModel(verified.model(), verified.bundle().manifest(), T0);
    }
    return conditionalModel;
  }

  private static ActiveModel activate(ModelBundle bundle) {
    ModelBundle decoded = ModelBundle.fromBytes(bundle.toBytes());
    return new ActiveModel(decoded.load(), decoded.manifest(), T0);
  }

  private static double sine(int i) {
    return 10 + 2 * Math.sin(2 * Math.PI * i / 24.0);
  }

  @BeforeEach
  void startDriver() {
    startDriver(new TopologySettings("metrics", "scores", "alerts", "dlq", BATCH,
        Duration.ofMillis(100), 32));
  }

  private void startDriver(TopologySettings settings) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(ScoringTopology.build(new StreamsBuilder(), settings,
        ModelSource.single("m", () -> java.util.Optional.ofNullable(active.get())),
        ScoringListener.NONE,
        Clock.fixed(T0, ZoneOffset.UTC)), props, T0);
    input = driver.createInputTopic("metrics", new StringSerializer(), new ByteArraySerializer());
    scores = driver.createOutputTopic("scores", new StringDeserializer(),
        new ByteArrayDeserializer());
    alerts = driver.createOutputTopic("alerts", new StringDeserializer(),
        new ByteArrayDeserializer());
    deadLetters = driver.createOutputTopic("dlq", new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  private void send(String series, int i, double value) {
    byte[] bytes = JsonCodec.metricRecord().encode(
        new MetricRecord(null, T0.toEpochMilli() + i * STEP, Map.of("value", value)));
    input.pipeInput(series, bytes, T0.toEpochMilli() + i * STEP);
  }

  private void flushByTime() {
    driver.advanceWallClockTime(Duration.ofMillis(150));
  }

  private static ScoreRecord decode(byte[] bytes) throws Exception {
    return JsonCodec.scoreRecord().decode(bytes);
  }

  private List<ScoreRecord> readScores() throws Exception {
    List<ScoreRecord> out = new java.util.ArrayList<>();
    for (byte[] b : scores.readValuesToList()) {
      out.add(decode(b));
    }
    return out;
  }

  private static String header(TestRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void everyRecordIsAnsweredNoModelBeforeAnyModelExists() throws Exception {
    for (int i = 0; i < 5; i++) {
      send("a", i, sine(i));
    }
    assertThat(scores.isEmpty()).as("nothing is emitted before the batch is due").isTrue();
    flushByTime();
    List<ScoreRecord> out = readScores();
    assertThat(out).hasSize(5).allSatisfy(s -> {
      assertThat(s.status()).isEqualTo(ScoreStatus.NO_MODEL);
      assertThat(s.logProbability()).isNull();
      assertThat(s.anomaly()).isFalse();
    });
    assertThat(out).extracting(s -> (s.timestamp() - T0.toEpochMilli()) / STEP)
        .as("in arrival order").containsExactly(0L, 1L, 2L, 3L, 4L);
  }

  @Test
  void recordsWarmUpUntilTheWindowIsFullThenAreScored() throws Exception {
    active.set(modelV1);
    for (int i = 0; i < WINDOW + 3; i++) {
      send("a", i, sine(i));
    }
    flushByTime();
    List<ScoreRecord> out = readScores();
    assertThat(out).hasSize(WINDOW + 3);
    assertThat(out.subList(0, WINDOW - 1)).allSatisfy(s -> {
      assertThat(s.status()).isEqualTo(ScoreStatus.WARMING_UP);
      assertThat(s.modelVersion()).isEqualTo(1L);
    });
    assertThat(out.subList(WINDOW - 1, out.size())).allSatisfy(s -> {
      assertThat(s.status()).isEqualTo(ScoreStatus.SCORED);
      assertThat(s.modelName()).isEqualTo("m");
      assertThat(s.modelVersion()).isEqualTo(1L);
      assertThat(s.latentMean()).hasSize(2);
      assertThat(s.anomalyScore()).isEqualTo(-s.logProbability());
      assertThat(s.threshold()).isEqualTo(modelV1.model().threshold());
    });
  }

  @Test
  void aFullBatchIsScoredWithoutWaitingForTheClock() throws Exception {
    active.set(modelV1);
    for (int i = 0; i < BATCH; i++) {
      send("s" + i, 0, sine(0));
    }
    assertThat(readScores()).hasSize(BATCH);
  }

  @Test
  void scoresMatchTheModelScoringTheSameWindowDirectly() throws Exception {
    active.set(modelV1);
    float[] window = new float[WINDOW];
    for (int i = 0; i < WINDOW; i++) {
      send("a", i, sine(i));
      window[i] = (float) sine(i);
    }
    flushByTime();
    ScoreRecord last = readScores().get(WINDOW - 1);
    double expected = modelV1.model().score(new float[][] {window}).logProbability(0);
    assertThat(last.logProbability()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void aConditionalModelScoresEachWindowAtItsRecordsTimestamp() throws Exception {
    active.set(conditionalModel());
    // The same readings in two series, six hours apart (both in the scorer's past).
    long sixHours = 6 * 3_600_000L;
    float[] window = new float[WINDOW];
    for (int i = 0; i < WINDOW; i++) {
      sendAt("early", T0.toEpochMilli() - sixHours + i * STEP, sine(i));
      sendAt("late", T0.toEpochMilli() + i * STEP, sine(i));
      window[i] = (float) sine(i);
    }
    flushByTime();
    List<ScoreRecord> out = readScores();
    ScoreRecord early = out.stream().filter(r -> r.series().equals("early"))
        .reduce((a, b) -> b).orElseThrow();
    ScoreRecord late = out.stream().filter(r -> r.series().equals("late"))
        .reduce((a, b) -> b).orElseThrow();
    assertThat(early.status()).isEqualTo(ScoreStatus.SCORED);
    assertThat(late.status()).isEqualTo(ScoreStatus.SCORED);
    long lastEarly = T0.toEpochMilli() - sixHours + (WINDOW - 1) * STEP;
    long lastLate = T0.toEpochMilli() + (WINDOW - 1) * STEP;
    var model = conditionalModel().model();
    assertThat(early.logProbability()).isCloseTo(model.score(new float[][] {window},
        new long[] {lastEarly}).logProbability(0), org.assertj.core.data.Offset.offset(1e-6));
    assertThat(late.logProbability()).isCloseTo(model.score(new float[][] {window},
        new long[] {lastLate}).logProbability(0), org.assertj.core.data.Offset.offset(1e-6));
    assertThat(early.logProbability()).isNotCloseTo(late.logProbability(),
        org.assertj.core.data.Offset.offset(1e-3));
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  private void sendAt(String series, long timestamp, double value) {
    byte[] bytes = JsonCodec.metricRecord().encode(
        new MetricRecord(null, timestamp, Map.of("value", value)));
    input.pipeInput(series, bytes, timestamp);
  }

  @Test
  void aSpikeIsFlaggedAndReachesTheAlertsTopicWhileNormalRecordsDoNot() throws Exception {
    active.set(modelV1);
    for (int i = 0; i < 40; i++) {
      send("a", i, sine(i));
    }
    send("a", 40, sine(40) + 30);
    flushByTime();
    List<ScoreRecord> out = readScores();
    ScoreRecord spike = out.get(out.size() - 1);
    assertThat(spike.anomaly()).isTrue();
    assertThat(spike.anomalyScore()).isGreaterThan(spike.threshold());
    // An anomaly says which metric made it one; its shares add up to its score.
    assertThat(spike.contributions()).containsOnlyKeys(modelV1.model().features());
    assertThat(spike.contributions().values().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(spike.anomalyScore(), org.assertj.core.data.Offset.offset(
            1e-3 * Math.abs(spike.anomalyScore())));
    assertThat(out.subList(0, out.size() - 1)).filteredOn(r -> !r.anomaly())
        .allSatisfy(r -> assertThat(r.contributions()).isNull());
    List<ScoreRecord> alerted = new java.util.ArrayList<>();
    for (byte[] b : alerts.readValuesToList()) {
      alerted.add(decode(b));
    }
    assertThat(alerted).isNotEmpty().allSatisfy(a -> assertThat(a.anomaly()).isTrue());
    assertThat(alerted).contains(spike);
    long flaggedNormal = out.subList(WINDOW - 1, out.size() - 1).stream()
        .filter(ScoreRecord::anomaly).count();
    assertThat(flaggedNormal).isLessThanOrEqualTo(2);
  }

  /** Sends 40 normal records, then a shifted level whose size moves, then a much larger spike. */
  private void sendAPersistingAnomaly() {
    for (int i = 0; i < 40; i++) {
      send("a", i, sine(i));
    }
    for (int i = 40; i < 70; i++) {
      send("a", i, sine(i) + 12 + 4 * Math.sin(i / 3.0));
    }
    send("a", 70, sine(70) + 200);
    flushByTime();
  }

  private List<ScoreRecord> readAlerts() throws Exception {
    List<ScoreRecord> out = new java.util.ArrayList<>();
    for (byte[] b : alerts.readValuesToList()) {
      out.add(decode(b));
    }
    return out;
  }

  @Test
  void aPersistingAnomalyAlertsWhenItStartsAndAgainOnlyWhenItGetsWorse() throws Exception {
    active.set(modelV1);
    sendAPersistingAnomaly();
    List<ScoreRecord> out = readScores();
    List<ScoreRecord> scored = out.stream().filter(r -> r.status() == ScoreStatus.SCORED)
        .toList();
    // The rule, checked record by record against the scores as emitted: an alert is an anomaly
    // whose score exceeds every score of the previous 16 scored records of its series, and whose
    // surprise reaches the default alert surprise.
    for (int j = 0; j < scored.size(); j++) {
      ScoreRecord r = scored.get(j);
      double previousMax = scored.subList(Math.max(0, j - 16), j).stream()
          .mapToDouble(ScoreRecord::anomalyScore).max().orElse(Double.NEGATIVE_INFINITY);
      assertThat(r.surprise()).as("the model has a score baseline").isNotNull();
      assertThat(r.alert()).as("record %d", r.timestamp())
          .isEqualTo(r.anomaly() && r.anomalyScore() > previousMax
              && r.surprise() >= TopologySettings.DEFAULT_ALERT_SURPRISE);
    }
    List<ScoreRecord> anomalies = scored.stream().filter(ScoreRecord::anomaly).toList();
    List<ScoreRecord> alerted = scored.stream().filter(ScoreRecord::alert).toList();
    // The shifted level is anomalous record after record; it alerts at most half as often (when
    // its score climbs above everything of the last 16 records: as the window fills with the new
    // level, and at the peaks of its swing).
    assertThat(anomalies).hasSizeGreaterThanOrEqualTo(20);
    assertThat(alerted).hasSizeLessThanOrEqualTo(anomalies.size() / 2);
    // It alerts when it starts, and the larger spike alerts again.
    assertThat(alerted.get(0).timestamp()).isEqualTo(anomalies.get(0).timestamp());
    assertThat(scored.get(scored.size() - 1).alert()).isTrue();
    // Exactly the alerts reach the alerts topic; every record is on the scores topic.
    assertThat(readAlerts()).containsExactlyElementsOf(alerted);
    assertThat(out).hasSize(71);
    assertThat(out).filteredOn(r -> r.status() != ScoreStatus.SCORED)
        .allSatisfy(r -> assertThat(r.alert()).isFalse());
  }

  @Test
  void anAnomalyAlertsOnlyWhenItsSurpriseReachesTheAlertSurprise() throws Exception {
    // First with the surprise left out of the decision, to see the surprises of the anomalies
    // that pass the look-back.
    driver.close();
    startDriver(settings(16, 0.0));
    active.set(modelV1);
    sendAPersistingAnomaly();
    List<ScoreRecord> rising = readScores().stream().filter(r -> Boolean.TRUE.equals(r.alert()))
        .toList();
    double[] surprises = rising.stream().mapToDouble(ScoreRecord::surprise).sorted().toArray();
    assertThat(surprises).hasSizeGreaterThanOrEqualTo(3);
    assertThat(surprises[0]).as("some of them more surprising than others")
        .isLessThan(surprises[surprises.length - 1]);
    double gate = surprises[surprises.length / 2];

    // Again from an empty state, with the gate between them.
    driver.close();
    startDriver(settings(16, gate));
    sendAPersistingAnomaly();
    List<ScoreRecord> gated = readScores();
    List<Long> expected = rising.stream().filter(r -> r.surprise() >= gate)
        .map(ScoreRecord::timestamp).toList();
    assertThat(gated.stream().filter(r -> Boolean.TRUE.equals(r.alert()))
        .map(ScoreRecord::timestamp).toList())
        .isEqualTo(expected).hasSizeLessThan(rising.size()).isNotEmpty();
    // The gate decides; it does not change the surprises themselves.
    Map<Long, Double> before = rising.stream()
        .collect(java.util.stream.Collectors.toMap(ScoreRecord::timestamp, ScoreRecord::surprise));
    assertThat(gated).filteredOn(r -> before.containsKey(r.timestamp()))
        .allSatisfy(r -> assertThat(r.surprise()).isEqualTo(before.get(r.timestamp())));
  }

  @Test
  void aModelWithoutAScoreBaselineGivesNoSurpriseAndAlertsByTheLookBackAlone()
      throws Exception {
    active.set(new ActiveModel(modelV1.model(),
        modelV1.manifest().withScoreBaseline(null), T0));
    sendAPersistingAnomaly();
    List<ScoreRecord> scored = readScores().stream()
        .filter(r -> r.status() == ScoreStatus.SCORED).toList();
    assertThat(scored).isNotEmpty().allSatisfy(r -> assertThat(r.surprise()).isNull());
    for (int j = 0; j < scored.size(); j++) {
      ScoreRecord r = scored.get(j);
      double previousMax = scored.subList(Math.max(0, j - 16), j).stream()
          .mapToDouble(ScoreRecord::anomalyScore).max().orElse(Double.NEGATIVE_INFINITY);
      assertThat(r.alert()).isEqualTo(r.anomaly() && r.anomalyScore() > previousMax);
    }
    assertThat(scored).filteredOn(ScoreRecord::alert).isNotEmpty();
  }

  private static TopologySettings settings(int lookback, double alertSurprise) {
    return new TopologySettings("metrics", "scores", "alerts", "dlq", BATCH,
        Duration.ofMillis(100), 32, InputLimits.DEFAULTS,
        TopologySettings.DEFAULT_SHADOW_TOPIC, lookback, alertSurprise);
  }

  @Test
  void aLookBackOfZeroAndAnAlertSurpriseOfZeroSendEveryAnomalyToTheAlertsTopic()
      throws Exception {
    driver.close();
    startDriver(new TopologySettings("metrics", "scores", "alerts", "dlq", BATCH,
        Duration.ofMillis(100), 32, InputLimits.DEFAULTS,
        TopologySettings.DEFAULT_SHADOW_TOPIC, 0, 0.0));
    active.set(modelV1);
    sendAPersistingAnomaly();
    List<ScoreRecord> anomalies = readScores().stream().filter(ScoreRecord::anomaly).toList();
    assertThat(anomalies).hasSizeGreaterThanOrEqualTo(20)
        .allSatisfy(r -> assertThat(r.alert()).isTrue());
    assertThat(readAlerts()).containsExactlyElementsOf(anomalies);
    assertThatThrownBy(() -> new TopologySettings("metrics", "scores", "alerts", "dlq", BATCH,
        Duration.ofMillis(100), 32, InputLimits.DEFAULTS,
        TopologySettings.DEFAULT_SHADOW_TOPIC, -1))
        .hasMessageContaining("alertLookback");
  }

  @Test
  void badInputGoesToTheDeadLetterTopicWithItsReasonAndOriginalBytes() {
    active.set(modelV1);
    byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
    input.pipeInput("a", garbage);
    byte[] valid = JsonCodec.metricRecord().encode(new MetricRecord(null, 1, Map.of("v", 1.0)));
    input.pipeInput((String) null, valid);
    input.pipeInput("a", JsonCodec.metricRecord().encode(
        new MetricRecord("b", 1, Map.of("v", 1.0))));
    input.pipeInput("a", "{\"timestamp\":1,\"values\":{\"v\":NaN}}"
        .getBytes(StandardCharsets.UTF_8));
    input.pipeInput("a", "{\"timestamp\":1,\"values\":{}}".getBytes(StandardCharsets.UTF_8));
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).extracting(r -> header(r, DeadLetterReason.HEADER_REASON)).containsExactly(
        "unparseable", "missing-key", "series-key-mismatch", "non-finite-value", "unparseable");
    assertThat(dead.get(0).value()).isEqualTo(garbage);
    assertThat(dead.get(1).value()).isEqualTo(valid);
    assertThat(dead).allSatisfy(r -> {
      assertThat(header(r, DeadLetterReason.HEADER_DETAIL)).isNotBlank().doesNotContain("\n");
      assertThat(header(r, DeadLetterReason.HEADER_ORIGIN)).startsWith("metrics-0@");
    });
    flushByTime();
    assertThat(scores.isEmpty()).as("a dead-lettered record has no score too").isTrue();
  }

  @Test
  void anOutOfOrderRecordIsDeadLetteredAndDoesNotEnterTheWindow() throws Exception {
    send("a", 5, 1.0);
    send("a", 3, 1.0);
    send("a", 5, 1.0);
    flushByTime();
    assertThat(deadLetters.readRecordsToList()).extracting(
        r -> header(r, DeadLetterReason.HEADER_REASON)).containsExactly("out-of-order");
    assertThat(readScores()).hasSize(2).as("an equal timestamp is accepted");
  }

  @Test
  void aSeriesWithoutTheModelsFeatureIsDeadLetteredAtScoringTime() throws Exception {
    active.set(modelV1);
    for (int i = 0; i < 3; i++) {
      input.pipeInput("b", JsonCodec.metricRecord().encode(new MetricRecord(null, i,
          Map.of("other", 1.0))));
    }
    flushByTime();
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).hasSize(3).allSatisfy(r -> assertThat(
        header(r, DeadLetterReason.HEADER_REASON)).isEqualTo("missing-feature"));
    MetricRecord rebuilt = JsonCodec.metricRecord().decode(dead.get(2).value());
    assertThat(rebuilt.series()).isEqualTo("b");
    assertThat(rebuilt.values()).containsEntry("other", 1.0);
    assertThat(scores.isEmpty()).isTrue();
  }

  @Test
  void extraMetricsAreIgnoredByAModelThatDoesNotReadThem() throws Exception {
    active.set(modelV1);
    for (int i = 0; i < WINDOW; i++) {
      input.pipeInput("c", JsonCodec.metricRecord().encode(new MetricRecord(null, i,
          Map.of("value", sine(i), "extra", 99.0))));
    }
    flushByTime();
    List<ScoreRecord> out = readScores();
    assertThat(out.get(WINDOW - 1).status()).isEqualTo(ScoreStatus.SCORED);
  }

  @Test
  void aNewModelServesTheNextBatchWithoutLosingWindows() throws Exception {
    active.set(modelV1);
    for (int i = 0; i < WINDOW; i++) {
      send("a", i, sine(i));
    }
    flushByTime();
    assertThat(readScores().get(WINDOW - 1).modelVersion()).isEqualTo(1L);
    active.set(modelV2);
    send("a", WINDOW, sine(WINDOW));
    flushByTime();
    ScoreRecord next = readScores().get(0);
    assertThat(next.status()).as("the window survives the swap").isEqualTo(ScoreStatus.SCORED);
    assertThat(next.modelVersion()).isEqualTo(2L);
  }

  @Test
  void windowsArePersistedPerSeriesInTheNamedStore() {
    send("a", 0, 1.0);
    send("a", 1, 2.0);
    // Queued records live in the pending store; the window store takes them when emitted.
    assertThat(driver.<String, byte[]>getKeyValueStore(ScoringTopology.WINDOW_STORE).get("a"))
        .isNull();
    flushByTime();
    byte[] stored = driver.<String, byte[]>getKeyValueStore(ScoringTopology.WINDOW_STORE).get("a");
    SeriesWindow window = SeriesWindow.decode(stored);
    assertThat(window.filled()).isEqualTo(2);
    assertThat(window.snapshot()).containsExactly(1f, 2f);
    assertThat(window.lastTimestamp()).isEqualTo(T0.toEpochMilli() + STEP);
  }
}
