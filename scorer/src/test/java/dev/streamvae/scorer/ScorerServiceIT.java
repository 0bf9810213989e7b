package dev.streamvae.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.TestEnvelopes;
import dev.streamvae.testkit.KafkaCluster;
import dev.streamvae.testkit.Topics;
import dev.streamvae.trainer.ModelPublisher;
import dev.streamvae.vae.ModelBundle;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scorer service against a real broker, over real HTTP: no model, then version 1, a corrupt
 * envelope that must be rejected while version 1 keeps serving, then version 2, all without a
 * restart; every input record has exactly one output.
 */
class ScorerServiceIT {

  private static final int WINDOW = 8;
  private static final long STEP = 1_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static KafkaCluster cluster;
  private static ApplicationContext scorer;
  private static URI url;
  private static Path stateDir;
  private static KafkaProducer<String, byte[]> producer;
  private static KafkaConsumer<String, byte[]> scores;
  private static final List<ScoreRecord> received = new ArrayList<>();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static ModelBundle trained;

  @BeforeAll
  static void start() throws Exception {
    cluster = KafkaCluster.start();
    Topics.createAndAwait(cluster.bootstrapServers(), List.of(
        new NewTopic("metrics", 2, (short) 1), new NewTopic("anomaly-scores", 2, (short) 1),
        new NewTopic("anomaly-alerts", 2, (short) 1),
        new NewTopic("anomaly-dead-letters", 1, (short) 1)), Duration.ofSeconds(30));
    stateDir = Files.createTempDirectory("scorer-it-");
    Map<String, Object> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", cluster.bootstrapServers());
    props.put("scorer.application-id", "scorer-it-" + System.nanoTime());
    props.put("scorer.model-name", "it");
    props.put("scorer.state-dir", stateDir.toString());
    props.put("scorer.model-startup-wait", "1s");
    props.put("micronaut.server.port", -1);
    props.put("micronaut.server.host", "127.0.0.1");
    props.put("scorer.models.trusted-keys", List.of(TestEnvelopes.trustedPem()));
    scorer = ScorerApplication.start(props);
    url = ScorerApplication.baseUrl(scorer);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new ByteArraySerializer());
    scores = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        cluster.bootstrapServers(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = List.of(new TopicPartition("anomaly-scores", 0),
        new TopicPartition("anomaly-scores", 1));
    scores.assign(parts);
    scores.seekToBeginning(parts);
    trained = trainModel();
  }

  @AfterAll
  static void stop() throws Exception {
    if (producer != null) {
      producer.close();
    }
    if (scores != null) {
      scores.close();
    }
    if (scorer != null) {
      scorer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ModelBundle trainModel() {
    TrainingSet.Builder data = TrainingSet.builder(List.of("value"), WINDOW, 1);
    long[] ts = new long[400];
    double[][] values = new double[400][1];
    for (int i = 0; i < 400; i++) {
      ts[i] = i * STEP;
      values[i][0] = Math.sin(i / 4.0);
    }
    data.addSeries("s", ts, values);
    return VaeTrainer.train(data.build(), VaeConfig.builder().windowLength(WINDOW)
        .featureCount(1).hiddenSizes(16).latentDim(2).epochs(5).mcSamples(2).build(), s -> { })
        .toBundle("it", 0, Instant.now());
  }

  private static ModelBundle signed(long version) {
    return trained.withVersion(version).signed(TestEnvelopes.KEYS);
  }

  private static int sent;

  private static void sendPoints(String series, int from, int count) {
    for (int i = from; i < from + count; i++) {
      producer.send(new ProducerRecord<>("metrics", series, JsonCodec.metricRecord().encode(
          new MetricRecord(series, i * STEP, Map.of("value", Math.sin(i / 4.0))))));
      sent++;
    }
    producer.flush();
  }

  private static void awaitAllScored() {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      scores.poll(Duration.ofMillis(200)).forEach(r -> {
        try {
          received.add(JsonCodec.scoreRecord().decode(r.value()));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      return received.size() >= sent;
    });
  }

  private static JsonNode get(String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(url.resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static String getText(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(url.resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static void publish(byte[] envelope) {
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 10_000_000), new StringSerializer(),
        new ByteArraySerializer())) {
      p.send(new ProducerRecord<>("anomaly-models", "it", envelope));
    }
  }

  @Test
  void scoresHotReloadsAndRejectsBadModelsWithoutARestart() throws Exception {
    await().atMost(Duration.ofSeconds(60)).until(
        () -> get("/health").path("status").asText().equals("UP"));
    assertThat(get("/health").path("details").path("scorer").path("details")
        .path("modelLoaded").asBoolean()).isFalse();

    sendPoints("a", 0, 5);
    awaitAllScored();
    assertThat(received).hasSize(5)
        .allSatisfy(s -> assertThat(s.status()).isEqualTo(ScoreStatus.NO_MODEL));

    ModelPublisher publisher = new ModelPublisher(
        Map.of("bootstrap.servers", cluster.bootstrapServers()), "anomaly-models");
    publisher.ensureTopic();
    publisher.publish(signed(publisher.latestVersion("it") + 1));
    await().atMost(Duration.ofSeconds(30)).until(
        () -> get("/model").path("active").path("version").asLong() == 1);
    JsonNode model = get("/model");
    assertThat(model.path("active").path("manifest").path("features").get(0).asText())
        .isEqualTo("value");
    assertThat(get("/health").path("details").path("scorer").path("details")
        .path("modelVersion").asLong()).isEqualTo(1);

    sendPoints("a", 5, WINDOW + 2);
    awaitAllScored();
    List<ScoreRecord> v1 = received.subList(5, received.size());
    assertThat(v1).extracting(ScoreRecord::status).contains(ScoreStatus.SCORED);
    assertThat(v1).filteredOn(s -> s.status() == ScoreStatus.SCORED)
        .allSatisfy(s -> assertThat(s.modelVersion()).isEqualTo(1L));

    byte[] corrupt = signed(2).toBytes();
    corrupt[corrupt.length - 64 - 4 - 1] ^= 0x55; // the payload's last byte
    publish(corrupt);
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/model").path("attempts")
        .get(0).path("outcome").asText().equals("REJECTED"));
    assertThat(get("/model").path("attempts").get(0).path("reason").asText())
        .containsIgnoringCase("checksum");
    assertThat(get("/model").path("active").path("version").asLong()).isEqualTo(1);
    int before = received.size();
    sendPoints("a", 5 + WINDOW + 2, 3);
    awaitAllScored();
    assertThat(received.subList(before, received.size()))
        .allSatisfy(s -> assertThat(s.modelVersion()).isEqualTo(1L));

    publisher.publish(signed(2));
    await().atMost(Duration.ofSeconds(30)).until(
        () -> get("/model").path("active").path("version").asLong() == 2);
    before = received.size();
    sendPoints("a", 5 + WINDOW + 5, 3);
    awaitAllScored();
    assertThat(received.subList(before, received.size()))
        .allSatisfy(s -> {
          assertThat(s.status()).isEqualTo(ScoreStatus.SCORED);
          assertThat(s.modelVersion()).isEqualTo(2L);
        });

    assertThat(received).hasSize(sent);
    assertThat(received).extracting(s -> s.series() + "@" + s.timestamp())
        .doesNotHaveDuplicates();

    String metrics = getText("/prometheus");
    assertThat(metrics)
        .contains("streamvae_records_total{model=\"it\",outcome=\"scored\"}")
        .contains("streamvae_records_total{model=\"it\",outcome=\"no_model\"} 5.0")
        .contains("streamvae_no_model_records_total{model=\"it\",reason=\"no_active_version\"} 5.0")
        .contains("streamvae_model_loads_total{outcome=\"rejected\",reason=\"checksum\"} 1.0")
        .contains("streamvae_model_version{model=\"it\"} 2.0")
        .contains("streamvae_model_load_duration_seconds_count")
        // Every scored record of a model with a score baseline has a surprise, in the histogram.
        .contains("streamvae_score_surprise_count{model=\"it\"}")
        .contains("streamvae_score_surprise_bucket{model=\"it\",le=\"0.95\"}")
        .contains("kafka_stream_");
  }
}
