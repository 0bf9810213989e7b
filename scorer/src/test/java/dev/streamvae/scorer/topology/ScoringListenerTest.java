package dev.streamvae.scorer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

class ScoringListenerTest {

  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  /** Records every call as one line. */
  private static final class Recorder implements ScoringListener {
    final String name;
    final List<String> calls;

    Recorder(String name, List<String> calls) {
      this.name = name;
      this.calls = calls;
    }

    @Override
    public void onScore(ScoreStatus status, boolean anomaly, String modelName) {
      calls.add(name + " score " + status + " " + anomaly + " " + modelName);
    }

    @Override
    public void onScoreRecord(ScoreRecord record, Map<String, Double> values) {
      calls.add(name + " record " + record.series() + "@" + record.timestamp() + " "
          + record.status() + " " + values);
    }

    @Override
    public void onAlert(String modelName) {
      calls.add(name + " alert " + modelName);
    }

    @Override
    public void onDeadLetter(DeadLetterReason reason) {
      calls.add(name + " dead " + reason);
    }

    @Override
    public void onBatch(int windows, long nanos) {
      calls.add(name + " batch " + windows + " " + nanos);
    }

    @Override
    public void onEndToEndLatency(long millis) {
      calls.add(name + " latency " + millis);
    }
  }

  @Test
  void bothForwardsEveryEventToBothInOrder() {
    List<String> calls = new ArrayList<>();
    ScoringListener both = ScoringListener.both(new Recorder("a", calls),
        new Recorder("b", calls));
    ScoreRecord record = ScoreRecord.unscored("s", 5, ScoreStatus.NO_MODEL, null, null, 6);

    both.onScore(ScoreStatus.SCORED, true, "m");
    both.onAlert("m");
    both.onScoreRecord(record, Map.of("v", 1.5));
    both.onDeadLetter(DeadLetterReason.UNPARSEABLE);
    both.onBatch(3, 42);
    both.onEndToEndLatency(7);

    assertThat(calls).containsExactly(
        "a score SCORED true m", "b score SCORED true m",
        "a alert m", "b alert m",
        "a record s@5 NO_MODEL {v=1.5}", "b record s@5 NO_MODEL {v=1.5}",
        "a dead UNPARSEABLE", "b dead UNPARSEABLE",
        "a batch 3 42", "b batch 3 42",
        "a latency 7", "b latency 7");
  }

  @Test
  void noneAcceptsTheNewEvent() {
    ScoringListener.NONE.onScoreRecord(
        ScoreRecord.unscored("s", 5, ScoreStatus.NO_MODEL, null, null, 6), Map.of("v", 1.0));
  }

  @Test
  void theTopologyReportsEachScoreRecordWithItsInputValues() {
    List<String> calls = new ArrayList<>();
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "listener-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    TopologySettings settings = new TopologySettings("metrics", "scores", "alerts", "dlq", 2,
        Duration.ofMillis(100), 32);
    try (TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.build(
        new StreamsBuilder(), settings, dev.streamvae.scorer.model.ModelSource.none(), new Recorder("x", calls),
        Clock.fixed(T0, ZoneOffset.UTC)), props, T0)) {
      TestInputTopic<String, byte[]> input = driver.createInputTopic("metrics",
          new StringSerializer(), new ByteArraySerializer());
      long t = T0.toEpochMilli();
      input.pipeInput("host", JsonCodec.metricRecord().encode(
          new MetricRecord(null, t, Map.of("mem", 0.25, "cpu", 1.5))), t);
      input.pipeInput("host", "not json".getBytes(StandardCharsets.UTF_8), t);
      input.pipeInput("host", JsonCodec.metricRecord().encode(
          new MetricRecord(null, t + 1000, Map.of("mem", 0.5, "cpu", 2.0))), t + 1000);
      input.pipeInput("other", JsonCodec.metricRecord().encode(
          new MetricRecord(null, t + 2000, Map.of("v", -3.0))), t + 2000);
      driver.advanceWallClockTime(Duration.ofMillis(150));
    }
    assertThat(calls.stream().filter(c -> c.startsWith("x record") || c.startsWith("x dead")))
        .containsExactly(
            "x dead UNPARSEABLE",
            "x record host@" + T0.toEpochMilli() + " NO_MODEL {cpu=1.5, mem=0.25}",
            "x record host@" + (T0.toEpochMilli() + 1000) + " NO_MODEL {cpu=2.0, mem=0.5}",
            "x record other@" + (T0.toEpochMilli() + 2000) + " NO_MODEL {v=-3.0}");
    // onScoreRecord follows onScore for the same record.
    int score = calls.indexOf("x score NO_MODEL false null");
    assertThat(calls.get(score + 1)).startsWith("x record host@");
  }
}
