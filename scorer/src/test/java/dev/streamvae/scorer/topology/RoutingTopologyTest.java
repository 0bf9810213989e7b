package dev.streamvae.scorer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.ActiveModel;
import dev.streamvae.scorer.model.ModelSource;
import dev.streamvae.scorer.model.SeriesRouter;
import dev.streamvae.scorer.model.TestEnvelopes;
import dev.streamvae.vae.ModelBundle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** Several named models in one topology: routing, NO_MODEL reasons, and shadow scores. */
class RoutingTopologyTest {

  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  private final Map<String, ActiveModel> active = new ConcurrentHashMap<>();
  private final Map<String, ActiveModel> shadows = new ConcurrentHashMap<>();
  private final List<String> noModel = new ArrayList<>();
  private final List<String> shadowed = new ArrayList<>();

  private static ActiveModel load(ModelBundle b) {
    return new ActiveModel(b.load(), b.manifest(), T0);
  }

  @Test
  void seriesGoToTheirModelsUnroutedOnesAreReportedAndShadowScoresGoToTheirTopic()
      throws Exception {
    SeriesRouter router = new SeriesRouter("default", List.of("cpu:prefix:web-",
        "mem:series:db-1"));
    ModelSource source = new ModelSource() {
      @Override
      public Optional<String> route(String series) {
        return router.route(series);
      }

      @Override
      public Optional<ActiveModel> active(String name) {
        return Optional.ofNullable(active.get(name));
      }

      @Override
      public Optional<ActiveModel> shadow(String name) {
        return Optional.ofNullable(shadows.get(name));
      }
    };
    active.put("cpu", load(TestEnvelopes.signed("cpu", 1)));
    shadows.put("cpu", load(TestEnvelopes.signed("cpu", 2)));
    ScoringListener listener = new ScoringListener() {
      @Override
      public void onNoModel(String modelName, String reason) {
        noModel.add(modelName + "/" + reason);
      }

      @Override
      public void onShadowScore(String modelName) {
        shadowed.add(modelName);
      }
    };
    TopologySettings settings = new TopologySettings("metrics", "scores", "alerts", "dlq", 64,
        Duration.ofMillis(100), 32, InputLimits.DEFAULTS, "shadow");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "routing-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(ScoringTopology.build(
        new StreamsBuilder(), settings, source, listener, Clock.fixed(T0, ZoneOffset.UTC)),
        props, T0)) {
      TestInputTopic<String, byte[]> input = driver.createInputTopic("metrics",
          new StringSerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> scores = driver.createOutputTopic("scores",
          new StringDeserializer(), new ByteArrayDeserializer());
      TestOutputTopic<String, byte[]> shadow = driver.createOutputTopic("shadow",
          new StringDeserializer(), new ByteArrayDeserializer());
      int n = TestEnvelopes.WINDOW + 4;
      for (String series : List.of("web-1", "db-1", "other")) {
        for (int i = 0; i < n; i++) {
          input.pipeInput(series, JsonCodec.metricRecord().encode(new MetricRecord(null,
              T0.toEpochMilli() + i * 1000L, Map.of("value", TestEnvelopes.value(i)))));
        }
      }
      driver.advanceWallClockTime(Duration.ofMillis(150));
      List<ScoreRecord> out = new ArrayList<>();
      for (byte[] b : scores.readValuesToList()) {
        out.add(JsonCodec.scoreRecord().decode(b));
      }
      assertThat(out).hasSize(3 * n);
      assertThat(out).filteredOn(s -> s.series().equals("web-1"))
          .extracting(ScoreRecord::status).contains(ScoreStatus.SCORED)
          .doesNotContain(ScoreStatus.NO_MODEL);
      assertThat(out).filteredOn(s -> s.series().equals("web-1")
          && s.status() == ScoreStatus.SCORED).allSatisfy(s -> {
            assertThat(s.modelName()).isEqualTo("cpu");
            assertThat(s.modelVersion()).isEqualTo(1L);
          });
      // Routed to a model without an active version: NO_MODEL naming the model.
      assertThat(out).filteredOn(s -> s.series().equals("db-1")).hasSize(n).allSatisfy(s -> {
        assertThat(s.status()).isEqualTo(ScoreStatus.NO_MODEL);
        assertThat(s.modelName()).isEqualTo("mem");
      });
      // No route: NO_MODEL without a model name.
      assertThat(out).filteredOn(s -> s.series().equals("other")).hasSize(n)
          .allSatisfy(s -> assertThat(s.modelName()).isNull());
      assertThat(noModel).hasSize(2 * n).contains("mem/no_active_version", "null/no_route");

      List<ScoreRecord> candidate = new ArrayList<>();
      for (byte[] b : shadow.readValuesToList()) {
        candidate.add(JsonCodec.scoreRecord().decode(b));
      }
      assertThat(candidate).as("the candidate scores every record of its model's series")
          .hasSize(n).allSatisfy(s -> {
            assertThat(s.series()).isEqualTo("web-1");
            assertThat(s.modelVersion()).isEqualTo(2L);
          });
      assertThat(shadowed).hasSize(n);
    }
  }
}
