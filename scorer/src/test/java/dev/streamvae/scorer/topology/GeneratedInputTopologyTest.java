package dev.streamvae.scorer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.ActiveModel;
import dev.streamvae.scorer.model.ModelSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Throws 12,000 seeded random and mutated records at the topology (no model for the first part,
 * then a model) and checks the rule the service lives by: in == scored + deadLettered +
 * unscored, every dead letter says why, every score is well-formed, and processing never stops.
 */
class GeneratedInputTopologyTest {

  private static final int RECORDS = 12_000;
  private static final Instant NOW = Instant.parse("2026-11-01T00:00:00Z");

  @Test
  void everyGeneratedRecordHasExactlyOneOutcomeAndProcessingNeverStops() throws Exception {
    ActiveModel model = BadInputTopologyTest.trainSmallModel();
    AtomicReference<ActiveModel> active = new AtomicReference<>();
    TopologySettings settings = new TopologySettings("metrics", "scores", "alerts", "dlq", 64,
        Duration.ofMillis(100), 16, new InputLimits(2048, 16, Duration.ofHours(1)));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "generated-input-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    Set<String> reasonCodes = Arrays.stream(DeadLetterReason.values())
        .map(DeadLetterReason::code).collect(Collectors.toSet());
    GeneratedInput generator = new GeneratedInput(42, 40,
        NOW.toEpochMilli() - 30L * 86_400_000L, 60_000, 2048);

    long scored = 0;
    long unscored = 0;
    long deadLettered = 0;
    long validIn = 0;
    Map<ScoreStatus, Long> byStatus = new EnumMap<>(ScoreStatus.class);
    Map<String, Long> byReason = new TreeMap<>();
    try (TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.build(
        new StreamsBuilder(), settings,
        ModelSource.single("m", () -> Optional.ofNullable(active.get())),
        ScoringListener.NONE, Clock.fixed(NOW, ZoneOffset.UTC)), props, NOW)) {
      TestInputTopic<byte[], byte[]> input = driver.createInputTopic("metrics",
          new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> scores = driver.createOutputTopic("scores",
          new StringDeserializer(), new ByteArrayDeserializer());
      TestOutputTopic<String, byte[]> dlq = driver.createOutputTopic("dlq",
          new StringDeserializer(), new ByteArrayDeserializer());
      for (int i = 0; i < RECORDS; i++) {
        if (i == RECORDS / 6) {
          active.set(model);
        }
        GeneratedInput.Input in = generator.next();
        if (in.valid()) {
          validIn++;
        }
        // Never throws: an exception here is a stopped stream thread in production.
        input.pipeInput(new TestRecord<>(in.key(), in.value(), NOW));
        if (i % 97 == 0) {
          driver.advanceWallClockTime(Duration.ofMillis(150));
        }
      }
      driver.advanceWallClockTime(Duration.ofMillis(150));

      for (byte[] bytes : scores.readValuesToList()) {
        ScoreRecord score = JsonCodec.scoreRecord().decode(bytes);
        byStatus.merge(score.status(), 1L, Long::sum);
        if (score.status() == ScoreStatus.SCORED) {
          assertThat(score.logProbability()).isFinite();
          scored++;
        } else {
          unscored++;
        }
      }
      for (TestRecord<String, byte[]> dead : dlq.readRecordsToList()) {
        String reason = BadInputTopologyTest.header(dead, DeadLetterReason.HEADER_REASON);
        assertThat(reasonCodes).contains(reason);
        assertThat(BadInputTopologyTest.header(dead, DeadLetterReason.HEADER_DETAIL))
            .isNotBlank();
        byReason.merge(reason, 1L, Long::sum);
        deadLettered++;
      }
    }
    assertThat(scored + deadLettered + unscored).as("in == scored + deadLettered + unscored")
        .isEqualTo(RECORDS);
    assertThat(byReason).as("no record made the processor fail")
        .doesNotContainKey(DeadLetterReason.PROCESSING_FAILED.code());
    assertThat(scored).as("valid records are scored once warm").isGreaterThan(validIn / 2);
    assertThat(byStatus).containsKeys(ScoreStatus.NO_MODEL, ScoreStatus.WARMING_UP);
    assertThat(byReason).containsKeys("unparseable", "missing-key", "invalid-key",
        "record-too-large", "non-finite-value", "value-out-of-range", "too-many-features",
        "timestamp-out-of-range", "out-of-order", "missing-feature", "series-key-mismatch");
  }
}
