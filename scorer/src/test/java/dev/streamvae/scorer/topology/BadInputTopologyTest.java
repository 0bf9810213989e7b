package dev.streamvae.scorer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.ActiveModel;
import dev.streamvae.scorer.model.ModelSource;
import dev.streamvae.vae.ModelBundle;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of docs/bad-input.md, one case at a time: each input yields exactly one
 * output, and that output is the documented one (a dead letter with the documented reason, or a
 * score with the documented status).
 */
class BadInputTopologyTest {

  static final int WINDOW = 4;
  static final long STEP = 60_000;
  static final Instant NOW = Instant.parse("2026-11-01T00:00:00Z");
  static final long T0 = NOW.toEpochMilli() - 1_000 * STEP;

  private static ActiveModel model;

  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<String, byte[]> scores;
  private TestOutputTopic<String, byte[]> deadLetters;

  /** A small model over one metric, "value", with windows of {@value #WINDOW}. */
  static ActiveModel trainSmallModel() {
    ModelBundle bundle = ModelBundle.fromBytes(trainSmallBundle().toBytes());
    return new ActiveModel(bundle.load(), bundle.manifest(), NOW);
  }

  /** {@link #trainSmallModel()} as a bundle named "m", version 1. */
  static ModelBundle trainSmallBundle() {
    TrainingSet.Builder data = TrainingSet.builder(List.of("value"), WINDOW, 1);
    long[] ts = new long[300];
    double[][] values = new double[300][1];
    java.util.Random noise = new java.util.Random(1);
    for (int i = 0; i < ts.length; i++) {
      ts[i] = i * STEP;
      values[i][0] = normal(i) + 0.05 * noise.nextGaussian();
    }
    data.addSeries("train", ts, values);
    VaeConfig config = VaeConfig.builder().windowLength(WINDOW).featureCount(1)
        .hiddenSizes(8).latentDim(2).epochs(3).batchSize(64).mcSamples(2).seed(5).build();
    return VaeTrainer.train(data.build(), config, s -> { }).toBundle("m", 1, NOW);
  }

  static double normal(int i) {
    return 10 + 2 * Math.sin(2 * Math.PI * i / 24.0);
  }

  @BeforeAll
  static void train() {
    model = trainSmallModel();
  }

  @BeforeEach
  void startDriver() {
    TopologySettings settings = new TopologySettings("metrics", "scores", "alerts", "dlq", 64,
        Duration.ofMillis(100), 16, new InputLimits(4096, 8, Duration.ofHours(1)));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bad-input-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(ScoringTopology.build(new StreamsBuilder(), settings,
        ModelSource.single("m", () -> Optional.of(model)), ScoringListener.NONE, Clock.fixed(NOW, ZoneOffset.UTC)),
        props, NOW);
    input = driver.createInputTopic("metrics", new ByteArraySerializer(),
        new ByteArraySerializer());
    scores = driver.createOutputTopic("scores", new StringDeserializer(),
        new ByteArrayDeserializer());
    deadLetters = driver.createOutputTopic("dlq", new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  /** One output: a dead letter with its reason, or a score. */
  record Outcome(String reason, ScoreRecord score, TestRecord<String, byte[]> deadLetter) {
    String describe() {
      return reason != null ? "dead-letter:" + reason : "score:" + score.status();
    }
  }

  private Outcome send(byte[] key, byte[] value) {
    return send(key, value, new RecordHeaders());
  }

  private Outcome send(byte[] key, byte[] value, RecordHeaders headers) {
    input.pipeInput(new TestRecord<>(key, value, headers, NOW));
    driver.advanceWallClockTime(Duration.ofMillis(150));
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    List<byte[]> scored = scores.readValuesToList();
    assertThat(dead.size() + scored.size()).as("exactly one output per input").isEqualTo(1);
    if (!dead.isEmpty()) {
      return new Outcome(header(dead.get(0), DeadLetterReason.HEADER_REASON), null, dead.get(0));
    }
    try {
      return new Outcome(null, JsonCodec.scoreRecord().decode(scored.get(0)), null);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private Outcome send(String key, String json) {
    return send(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        json == null ? null : json.getBytes(StandardCharsets.UTF_8));
  }

  private Outcome sendMetric(String series, long timestamp, Map<String, Double> values) {
    return send(series.getBytes(StandardCharsets.UTF_8),
        JsonCodec.metricRecord().encode(new MetricRecord(null, timestamp, values)));
  }

  private void warm(String series, int points) {
    for (int i = 0; i < points; i++) {
      sendMetric(series, T0 + i * STEP, Map.of("value", normal(i)));
    }
  }

  static String header(TestRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String record(String valuesJson) {
    return "{\"timestamp\":" + T0 + ",\"values\":" + valuesJson + "}";
  }

  static Stream<Arguments> singleRecordCases() {
    String ok = record("{\"value\":1.5}");
    return Stream.of(
        // malformed JSON
        Arguments.of("not JSON", "k", "{not json", "dead-letter:unparseable"),
        Arguments.of("truncated JSON", "k", ok.substring(0, ok.length() - 3),
            "dead-letter:unparseable"),
        Arguments.of("trailing garbage", "k", ok + "}", "dead-letter:unparseable"),
        Arguments.of("empty value", "k", "", "dead-letter:unparseable"),
        Arguments.of("null value (tombstone)", "k", null, "dead-letter:unparseable"),
        Arguments.of("JSON null", "k", "null", "dead-letter:unparseable"),
        Arguments.of("JSON array", "k", "[1,2]", "dead-letter:unparseable"),
        // wrong types
        Arguments.of("reading as a string", "k", record("{\"value\":\"1.5\"}"),
            "dead-letter:unparseable"),
        Arguments.of("reading as a boolean", "k", record("{\"value\":true}"),
            "dead-letter:unparseable"),
        Arguments.of("reading as an array", "k", record("{\"value\":[1]}"),
            "dead-letter:unparseable"),
        Arguments.of("values as an array", "k", record("[1.5]"), "dead-letter:unparseable"),
        Arguments.of("timestamp as a string", "k",
            "{\"timestamp\":\"" + T0 + "\",\"values\":{\"value\":1}}", "dead-letter:unparseable"),
        Arguments.of("fractional timestamp", "k",
            "{\"timestamp\":" + T0 + ".5,\"values\":{\"value\":1}}", "dead-letter:unparseable"),
        Arguments.of("series as a number", "k",
            "{\"series\":5,\"timestamp\":" + T0 + ",\"values\":{\"value\":1}}",
            "dead-letter:unparseable"),
        // missing and extra fields
        Arguments.of("no timestamp", "k", "{\"values\":{\"value\":1}}",
            "dead-letter:unparseable"),
        Arguments.of("null timestamp", "k", "{\"timestamp\":null,\"values\":{\"value\":1}}",
            "dead-letter:unparseable"),
        Arguments.of("no values", "k", "{\"timestamp\":" + T0 + "}", "dead-letter:unparseable"),
        Arguments.of("empty values", "k", record("{}"), "dead-letter:unparseable"),
        Arguments.of("null reading", "k", record("{\"value\":null}"),
            "dead-letter:unparseable"),
        Arguments.of("extra field", "k",
            "{\"timestamp\":" + T0 + ",\"values\":{\"value\":1},\"unit\":\"ms\"}",
            "dead-letter:unparseable"),
        Arguments.of("field given twice", "k", record("{\"value\":1,\"value\":2}"),
            "dead-letter:unparseable"),
        Arguments.of("series differs from key", "k",
            "{\"series\":\"other\",\"timestamp\":" + T0 + ",\"values\":{\"value\":1}}",
            "dead-letter:series-key-mismatch"),
        // keys
        Arguments.of("null key", null, ok, "dead-letter:missing-key"),
        Arguments.of("empty key", "", ok, "dead-letter:missing-key"),
        Arguments.of("blank key", "  ", ok, "dead-letter:missing-key"),
        // non-finite and absurd readings
        Arguments.of("NaN", "k", record("{\"value\":NaN}"), "dead-letter:non-finite-value"),
        Arguments.of("\"NaN\" as a string", "k", record("{\"value\":\"NaN\"}"),
            "dead-letter:non-finite-value"),
        Arguments.of("+Infinity", "k", record("{\"value\":Infinity}"),
            "dead-letter:non-finite-value"),
        Arguments.of("-Infinity", "k", record("{\"value\":-Infinity}"),
            "dead-letter:non-finite-value"),
        Arguments.of("beyond a double (1e400)", "k", record("{\"value\":1e400}"),
            "dead-letter:non-finite-value"),
        Arguments.of("beyond a float (1e300)", "k", record("{\"value\":-1e300}"),
            "dead-letter:value-out-of-range"),
        // timestamps
        Arguments.of("timestamp beyond a long", "k",
            "{\"timestamp\":99999999999999999999999,\"values\":{\"value\":1}}",
            "dead-letter:unparseable"),
        Arguments.of("negative timestamp", "k", "{\"timestamp\":-1,\"values\":{\"value\":1}}",
            "dead-letter:timestamp-out-of-range"),
        Arguments.of("far-future timestamp", "k", "{\"timestamp\":"
            + (NOW.toEpochMilli() + Duration.ofHours(2).toMillis())
            + ",\"values\":{\"value\":1}}", "dead-letter:timestamp-out-of-range"),
        Arguments.of("Long.MAX_VALUE timestamp", "k", "{\"timestamp\":" + Long.MAX_VALUE
            + ",\"values\":{\"value\":1}}", "dead-letter:timestamp-out-of-range"),
        Arguments.of("far-past timestamp (1970) on a new series", "k",
            "{\"timestamp\":1,\"values\":{\"value\":1}}", "score:WARMING_UP"),
        Arguments.of("timestamp within the allowed skew", "k", "{\"timestamp\":"
            + (NOW.toEpochMilli() + Duration.ofMinutes(59).toMillis())
            + ",\"values\":{\"value\":1}}", "score:WARMING_UP"),
        // features
        Arguments.of("too many metrics", "k", record(manyMetrics(9)),
            "dead-letter:too-many-features"),
        Arguments.of("as many metrics as allowed", "k", record(manyMetrics(8)),
            "dead-letter:missing-feature"),
        Arguments.of("unknown series, valid record", "never-seen", ok, "score:WARMING_UP"),
        // bytes that are not text
        Arguments.of("binary value", "k", new String(new byte[] {0, 1, 2, (byte) 0xff},
            StandardCharsets.ISO_8859_1), "dead-letter:unparseable"));
  }

  private static String manyMetrics(int n) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":1");
    }
    return b.append('}').toString();
  }

  @ParameterizedTest(name = "{0} -> {3}")
  @MethodSource("singleRecordCases")
  void eachCaseHasItsDocumentedOutcome(String name, String key, String value, String expected) {
    byte[] valueBytes = value == null ? null : name.equals("binary value")
        ? value.getBytes(StandardCharsets.ISO_8859_1) : value.getBytes(StandardCharsets.UTF_8);
    Outcome outcome = send(key == null ? null : key.getBytes(StandardCharsets.UTF_8), valueBytes);
    assertThat(outcome.describe()).isEqualTo(expected);
    if (outcome.deadLetter() != null) {
      TestRecord<String, byte[]> dead = outcome.deadLetter();
      if (outcome.reason().equals("missing-feature")) {
        // Found at scoring time, from the queued record: the same record, re-encoded.
        assertThat(decodeMetric(dead.value()).values())
            .isEqualTo(decodeMetric(valueBytes).values());
      } else {
        assertThat(dead.value()).as("the original bytes").isEqualTo(valueBytes);
        assertThat(header(dead, DeadLetterReason.HEADER_ORIGIN)).startsWith("metrics-0@");
      }
      assertThat(header(dead, DeadLetterReason.HEADER_DETAIL)).isNotBlank().doesNotContain("\n");
    }
  }

  @Test
  void aKeyThatIsNotUtf8IsDeadLettered() {
    Outcome outcome = send(new byte[] {(byte) 0xc3, (byte) 0x28, 'a'},
        record("{\"value\":1}").getBytes(StandardCharsets.UTF_8));
    assertThat(outcome.describe()).isEqualTo("dead-letter:invalid-key");
  }

  @Test
  void anOversizedValueIsDeadLetteredCutToTheLimitWithoutItsHeaders() {
    byte[] big = new byte[10_000];
    java.util.Arrays.fill(big, (byte) ' ');
    byte[] json = record("{\"value\":1}").getBytes(StandardCharsets.UTF_8);
    System.arraycopy(json, 0, big, 0, json.length);
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace", new byte[] {1, 2, 3});
    Outcome outcome = send("k".getBytes(StandardCharsets.UTF_8), big, headers);
    assertThat(outcome.describe()).isEqualTo("dead-letter:record-too-large");
    assertThat(outcome.deadLetter().value()).hasSize(4096 - 1)
        .startsWith(json);
    assertThat(outcome.deadLetter().headers().lastHeader("trace")).isNull();
    assertThat(header(outcome.deadLetter(), DeadLetterReason.HEADER_DETAIL))
        .contains("4096");
  }

  @Test
  void anOversizedKeyOrOversizedHeadersAreDeadLettered() {
    String hugeKey = "k".repeat(5_000);
    assertThat(send(hugeKey, record("{\"value\":1}")).describe())
        .isEqualTo("dead-letter:record-too-large");
    RecordHeaders headers = new RecordHeaders();
    headers.add("blob", new byte[5_000]);
    assertThat(send("k".getBytes(StandardCharsets.UTF_8),
        record("{\"value\":1}").getBytes(StandardCharsets.UTF_8), headers).describe())
        .isEqualTo("dead-letter:record-too-large");
  }

  @Test
  void duplicateTimestampsAreAcceptedAndOutOfOrderOnesDeadLettered() {
    warm("s", WINDOW);
    long last = T0 + (WINDOW - 1) * STEP;
    assertThat(sendMetric("s", last, Map.of("value", normal(WINDOW - 1))).describe())
        .as("a repeat of the newest timestamp").isEqualTo("score:SCORED");
    assertThat(sendMetric("s", last - STEP, Map.of("value", 1.0)).describe())
        .isEqualTo("dead-letter:out-of-order");
    assertThat(sendMetric("s", 1, Map.of("value", 1.0)).describe())
        .as("far in the past, behind the series").isEqualTo("dead-letter:out-of-order");
    assertThat(sendMetric("s", last + STEP, Map.of("value", normal(WINDOW))).describe())
        .as("the series goes on").isEqualTo("score:SCORED");
  }

  @Test
  void aFarFutureRecordDoesNotPoisonItsSeries() {
    warm("s", WINDOW);
    assertThat(sendMetric("s", NOW.toEpochMilli() + Duration.ofDays(365).toMillis(),
        Map.of("value", 1.0)).describe()).isEqualTo("dead-letter:timestamp-out-of-range");
    assertThat(sendMetric("s", T0 + WINDOW * STEP, Map.of("value", normal(WINDOW))).describe())
        .as("the next on-time record is not out of order").isEqualTo("score:SCORED");
  }

  @Test
  void anAbsurdlyLargeButFiniteReadingIsScoredAsAnAnomaly() {
    warm("s", WINDOW - 1);
    Outcome outcome = sendMetric("s", T0 + (WINDOW - 1) * STEP, Map.of("value", 1e6));
    assertThat(outcome.describe()).isEqualTo("score:SCORED");
    assertThat(outcome.score().anomaly()).isTrue();
    assertThat(Double.isFinite(outcome.score().logProbability())).isTrue();
  }

  @Test
  void aReadingAtTheEdgeOfFloatRangeIsAnsweredNeverLost() {
    warm("s", WINDOW - 1);
    Outcome outcome = sendMetric("s", T0 + (WINDOW - 1) * STEP, Map.of("value", 3e38));
    // The model's arithmetic overflows: documented as a scoring-failed dead letter, unless the
    // model still yields a finite log-probability, in which case it is an anomaly.
    if (outcome.reason() != null) {
      assertThat(outcome.reason()).isEqualTo("scoring-failed");
      MetricRecord rebuilt = decodeMetric(outcome.deadLetter().value());
      assertThat(rebuilt.values().get("value")).isEqualTo((double) 3e38f);
    } else {
      assertThat(outcome.score().anomaly()).isTrue();
    }
  }

  private static MetricRecord decodeMetric(byte[] bytes) {
    try {
      return JsonCodec.metricRecord().decode(bytes);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void wrongNumberOfFeatures() {
    warm("s", WINDOW);
    Map<String, Double> extra = new LinkedHashMap<>();
    extra.put("value", normal(WINDOW));
    extra.put("extra", 1.0);
    assertThat(sendMetric("s", T0 + WINDOW * STEP, extra).describe())
        .as("a changed metric set restarts the series' window").isEqualTo("score:WARMING_UP");
    List<String> later = new ArrayList<>();
    for (int i = WINDOW + 1; i < 2 * WINDOW + 1; i++) {
      extra.put("value", normal(i));
      later.add(sendMetric("s", T0 + i * STEP, extra).describe());
    }
    assertThat(later).as("metrics the model does not read are ignored")
        .endsWith("score:SCORED");
    assertThat(sendMetric("t", T0, Map.of("other", 1.0)).describe())
        .as("a series without the model's metric").isEqualTo("dead-letter:missing-feature");
  }

  @Test
  void anUnknownSeriesWarmsUpThenIsScored() {
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < WINDOW + 1; i++) {
      outcomes.add(sendMetric("brand-new", T0 + i * STEP, Map.of("value", normal(i)))
          .describe());
    }
    assertThat(outcomes).containsExactly("score:WARMING_UP", "score:WARMING_UP",
        "score:WARMING_UP", "score:SCORED", "score:SCORED");
    assertThat(ScoreStatus.values()).contains(ScoreStatus.SCORED);
  }
}
