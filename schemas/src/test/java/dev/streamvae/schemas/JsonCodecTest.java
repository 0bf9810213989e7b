package dev.streamvae.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonCodecTest {

  private static final JsonCodec<MetricRecord> METRIC = JsonCodec.metricRecord();
  private static final JsonCodec<ScoreRecord> SCORE = JsonCodec.scoreRecord();
  private static final JsonCodec<ModelManifest> MANIFEST = JsonCodec.modelManifest();

  @Test
  void metricRecordRoundTrips() throws SchemaException {
    MetricRecord record = new MetricRecord("s1", 1_700_000_000_000L, Map.of("b", 2.5, "a", -1.0));
    assertThat(METRIC.decode(METRIC.encode(record))).isEqualTo(record);

    MetricRecord keyOnly = new MetricRecord(null, 5, Map.of("v", 1.0));
    byte[] bytes = METRIC.encode(keyOnly);
    assertThat(text(bytes)).doesNotContain("series");
    assertThat(METRIC.decode(bytes)).isEqualTo(keyOnly);
  }

  @Test
  void scoreRecordsRoundTrip() throws SchemaException {
    ScoreRecord scored = new ScoreRecord("s1", 10, ScoreStatus.SCORED, -120.5, 120.5, 100.0, true,
        List.of(0.5, -1.25), "default", 3L, 11);
    assertThat(SCORE.decode(SCORE.encode(scored))).isEqualTo(scored);
    ScoreRecord alert = scored.withAlert(true);
    assertThat(SCORE.decode(SCORE.encode(alert))).isEqualTo(alert);
    assertThat(SCORE.decode(SCORE.encode(alert)).alert()).isTrue();
    // Written by a scorer older than the field: read, with the alert undecided.
    String older = new String(SCORE.encode(scored), StandardCharsets.UTF_8)
        .replace(",\"alert\":null", "");
    assertThat(older).doesNotContain("alert");
    assertThat(SCORE.decode(older.getBytes(StandardCharsets.UTF_8)).alert())
        .isNull();
    assertThatThrownBy(() -> new ScoreRecord("s1", 10, ScoreStatus.SCORED, -1.0, 1.0, 100.0,
        false, List.of(0.5), "default", 3L, 11, null, true))
        .hasMessageContaining("only an anomaly can be an alert");

    ScoreRecord surprising = scored.withSurpriseAndAlert(0.97, true);
    assertThat(SCORE.decode(SCORE.encode(surprising))).isEqualTo(surprising);
    assertThat(SCORE.decode(SCORE.encode(surprising)).surprise()).isEqualTo(0.97);
    assertThat(surprising.withAlert(false).surprise()).as("deciding the alert keeps it")
        .isEqualTo(0.97);
    // Written by a scorer older than the field: read, without a surprise.
    String beforeSurprise = new String(SCORE.encode(alert), StandardCharsets.UTF_8)
        .replace(",\"surprise\":null", "");
    assertThat(beforeSurprise).doesNotContain("surprise");
    assertThat(SCORE.decode(beforeSurprise.getBytes(StandardCharsets.UTF_8)).surprise())
        .isNull();
    assertThatThrownBy(() -> scored.withSurpriseAndAlert(1.5, true))
        .hasMessageContaining("surprise, in [0, 1]");
    assertThatThrownBy(() -> ScoreRecord.unscored("s1", 10, ScoreStatus.NO_MODEL, null, null, 11)
        .withSurpriseAndAlert(0.5, false))
        .hasMessageContaining("only a SCORED record has a surprise");

    for (ScoreStatus status : List.of(ScoreStatus.WARMING_UP, ScoreStatus.NO_MODEL)) {
      ScoreRecord unscored = ScoreRecord.unscored("s1", 10, status, null, null, 11);
      assertThat(SCORE.decode(SCORE.encode(unscored))).isEqualTo(unscored);
    }
  }

  @Test
  void modelManifestRoundTrips() throws SchemaException {
    ModelManifest manifest = new ModelManifest(1, "default", 4, 1_000, List.of("cpu", "mem"), 32, 1,
        4, 8, 150.0, "quantile(0.995)",
        new TrainingSummary(0, 1_000, 3, 900, 10, 12.5, 11.0, 1.5, 4_000), "ab".repeat(32), 4096,
        Map.of("nd4j", "1.0.0-M2.1"));
    assertThat(MANIFEST.decode(MANIFEST.encode(manifest))).isEqualTo(manifest);

    ModelManifest bare = new ModelManifest(1, "m", 0, 0, List.of("v"), 8, 2, 2, 1, 0.0, null, null,
        "00", 0, null);
    assertThat(MANIFEST.decode(MANIFEST.encode(bare))).isEqualTo(bare);
    assertThat(MANIFEST.decode(MANIFEST.encode(bare)).scoreBaseline()).isNull();

    ModelManifest withBaseline = new ModelManifest(2, "m", 1, 0, List.of("v"), 8, 1, 2, 1, 3.0,
        null, null, "00", 0, null, null, null, null, null, null, null, null, null,
        new ScoreBaseline(2.5, 900, -0.8, 0.3));
    assertThat(MANIFEST.decode(MANIFEST.encode(withBaseline))).isEqualTo(withBaseline);
    assertThat(MANIFEST.decode(MANIFEST.encode(withBaseline.withVersion(2))).scoreBaseline())
        .as("a new version number keeps the baseline").isEqualTo(withBaseline.scoreBaseline());
    assertThatThrownBy(() -> new ScoreBaseline(0, 900, -0.8, 0.3))
        .hasMessageContaining("positive finite scale");
  }

  @Test
  void referenceWindowsCarryATimestampOnlyWhenTheyHaveOne() throws SchemaException {
    ModelManifest base = MANIFEST.decode(MANIFEST.encode(new ModelManifest(1, "m", 0, 0,
        List.of("v"), 2, 1, 2, 1, 0.0, null, null, "00", 0, null)));
    ModelManifest plain = withReferences(base, List.of(new ReferenceWindow(List.of(1.0, 2.0), -3)));
    // Without one, the field is left out: scorers whose strict decoder predates it still read
    // the manifests of unconditional models.
    assertThat(text(MANIFEST.encode(plain))).doesNotContain("timestamp");
    assertThat(MANIFEST.decode(MANIFEST.encode(plain))).isEqualTo(plain);
    ModelManifest timed = withReferences(base,
        List.of(new ReferenceWindow(List.of(1.0, 2.0), -3, 1_767_132_000_000L)));
    assertThat(text(MANIFEST.encode(timed))).contains("\"timestamp\":1767132000000");
    assertThat(MANIFEST.decode(MANIFEST.encode(timed)).referenceWindows().get(0).timestamp())
        .isEqualTo(1_767_132_000_000L);
  }

  private static ModelManifest withReferences(ModelManifest m, List<ReferenceWindow> refs) {
    return new ModelManifest(2, m.modelName(), m.version(), m.createdAt(), m.features(),
        m.windowLength(), m.stride(), m.latentDim(), m.mcSamples(), m.threshold(),
        m.thresholdMethod(), m.training(), m.payloadSha256(), m.payloadSize(),
        m.libraryVersions(), null, "none", null, null, refs, null, null, null);
  }

  @Test
  void nonFiniteReadingsAreAcceptedAtParseLevel() throws SchemaException {
    MetricRecord record = METRIC.decode(bytes(
        "{\"timestamp\": 1, \"values\": {\"a\": NaN, \"b\": Infinity, \"c\": -Infinity}}"));
    assertThat(record.values().get("a")).isNaN();
    assertThat(record.values().get("b")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(record.values().get("c")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(METRIC.decode(METRIC.encode(record))).isEqualTo(record);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"timestamp\": 1, \"values\": {\"v\": 1.0}",                        // malformed
      "{\"timestamp\": 1, \"values\": {}}",                                 // empty values
      "{\"series\": \"s\", \"values\": {\"v\": 1.0}}",                      // no timestamp
      "{\"timestamp\": null, \"values\": {\"v\": 1.0}}",                    // null timestamp
      "{\"timestamp\": 1}",                                                  // no values
      "{\"timestamp\": 1, \"values\": {\"v\": null}}",                      // null reading
      "{\"timestamp\": 1, \"values\": {\"v\": \"high\"}}",                  // not a number
      "{\"timestamp\": 1, \"values\": {\"v\": 1.0}, \"unit\": \"ms\"}",     // unknown field
      "{\"timestamp\": 1, \"values\": {\"v\": 1.0}} trailing",              // trailing garbage
      "{\"timestamp\": 1, \"values\": {\"v\": 1.0}}{}",                     // two documents
      "[1, 2, 3]",                                                           // wrong shape
      "null",                                                                // JSON null
      "",                                                                    // empty
      "timestamp=1,v=2"                                                      // not JSON
  })
  void rejectsInvalidMetricRecords(String input) {
    assertRejectedInOneLine(() -> METRIC.decode(bytes(input)));
  }

  @Test
  void rejectsNullAndBinaryBytes() {
    assertRejectedInOneLine(() -> METRIC.decode(null));
    assertRejectedInOneLine(() -> METRIC.decode(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2}));
    assertRejectedInOneLine(() -> SCORE.decode(new byte[] {0x00, 0x00, 0x00, 0x01, 0x2a}));
  }

  @Test
  void rejectsInvalidScoreRecordsAndManifests() {
    // SCORED without its scores.
    assertRejectedInOneLine(() -> SCORE.decode(bytes("{\"series\": \"s\", \"timestamp\": 1, "
        + "\"status\": \"SCORED\", \"anomaly\": false, \"scoredAt\": 2}")));
    // Unknown status.
    assertRejectedInOneLine(() -> SCORE.decode(bytes("{\"series\": \"s\", \"timestamp\": 1, "
        + "\"status\": \"MAYBE\", \"anomaly\": false, \"scoredAt\": 2}")));
    // Blank model name and empty features.
    assertRejectedInOneLine(() -> MANIFEST.decode(bytes("{\"formatVersion\": 1, "
        + "\"modelName\": \" \", \"version\": 1, \"createdAt\": 0, \"features\": [\"v\"], "
        + "\"windowLength\": 8, \"stride\": 1, \"latentDim\": 2, \"mcSamples\": 1, "
        + "\"threshold\": 1.0, \"payloadSha256\": \"00\", \"payloadSize\": 0}")));
  }

  @Test
  void reasonsStayOneShortLineEvenForHostileInput() {
    String hostile = "{\"timestamp\": 1, \"values\": {\"v\": 1.0}, \"x\\ny" + "z".repeat(5_000)
        + "\": 1}";
    assertRejectedInOneLine(() -> METRIC.decode(bytes(hostile)));
    assertThatThrownBy(() -> METRIC.decode(bytes(hostile)))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
  }

  private static void assertRejectedInOneLine(ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(SchemaException.class)
        .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("\n")
            .doesNotContain("\r"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
