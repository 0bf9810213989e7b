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
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * The model lifecycle against a real broker and real HTTP: versions published in quick
 * succession while records stream, most of them bad in a different way; and pin, rollback,
 * shadow and promote through the authenticated endpoints, with several instances converging and
 * a restarted one resuming with the pinned version.
 */
class ModelLifecycleIT {

  private static final String TOKEN = "lifecycle-test-admin-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static KafkaCluster cluster;
  private static KafkaProducer<String, byte[]> producer;
  private final List<ApplicationContext> scorers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = KafkaCluster.start();
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 10_000_000), new StringSerializer(),
        new ByteArraySerializer());
    TestEnvelopes.signed("m", 1);
    TestEnvelopes.wrongFeatures("m", 1);
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @org.junit.jupiter.api.AfterEach
  void stopScorers() {
    scorers.forEach(ApplicationContext::close);
    scorers.clear();
  }

  /** Topics of one test: metrics, scores, shadow, alerts, dead letters, models. */
  private record Setup(String prefix) {
    String metrics() {
      return prefix + "-metrics";
    }

    String scores() {
      return prefix + "-scores";
    }

    String shadow() {
      return prefix + "-shadow";
    }

    String models() {
      return prefix + "-models";
    }
  }

  private static Setup topics(String prefix) {
    Setup s = new Setup(prefix);
    Topics.createAndAwait(cluster.bootstrapServers(), List.of(
        new NewTopic(s.metrics(), 2, (short) 1), new NewTopic(s.scores(), 2, (short) 1),
        new NewTopic(s.shadow(), 2, (short) 1), new NewTopic(prefix + "-alerts", 1, (short) 1),
        new NewTopic(prefix + "-dlq", 1, (short) 1)), Duration.ofSeconds(30));
    new ModelPublisher(Map.of("bootstrap.servers", cluster.bootstrapServers()), s.models())
        .ensureTopic();
    return s;
  }

  private ApplicationContext scorer(Setup s, String applicationId) throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", cluster.bootstrapServers());
    props.put("scorer.application-id", applicationId);
    props.put("scorer.input-topic", s.metrics());
    props.put("scorer.scores-topic", s.scores());
    props.put("scorer.shadow-topic", s.shadow());
    props.put("scorer.alerts-topic", s.prefix() + "-alerts");
    props.put("scorer.dead-letter-topic", s.prefix() + "-dlq");
    props.put("scorer.models-topic", s.models());
    props.put("scorer.model-name", "m");
    props.put("scorer.batch-size", 32);
    props.put("scorer.state-dir", Files.createTempDirectory("lifecycle-it-").toString());
    props.put("scorer.model-startup-wait", "20s");
    props.put("scorer.models.trusted-keys", List.of(TestEnvelopes.trustedPem()));
    props.put("scorer.models.features", List.of("m:value"));
    props.put("scorer.models.admin-token", TOKEN);
    props.put("scorer.live.enabled", false);
    props.put("micronaut.server.port", -1);
    props.put("micronaut.server.host", "127.0.0.1");
    ApplicationContext ctx = ScorerApplication.start(props);
    scorers.add(ctx);
    return ctx;
  }

  private static void publish(Setup s, ModelBundle bundle) {
    publish(s, bundle.manifest().modelName() + "@v" + bundle.manifest().version(),
        bundle.toBytes());
  }

  private static void publish(Setup s, String key, byte[] envelope) {
    producer.send(new ProducerRecord<>(s.models(), key, envelope));
    producer.flush();
  }

  private static void send(Setup s, String series, int i) {
    producer.send(new ProducerRecord<>(s.metrics(), series, JsonCodec.metricRecord().encode(
        new MetricRecord(series, i * TestEnvelopes.STEP, Map.of("value",
            TestEnvelopes.value(i))))));
  }

  /** Reads a score topic from the beginning, committed records only. */
  private static final class Reader implements AutoCloseable {
    final KafkaConsumer<String, byte[]> consumer;
    final List<ScoreRecord> records = new ArrayList<>();

    Reader(String topic) {
      consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
          cluster.bootstrapServers(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
          new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> parts = List.of(new TopicPartition(topic, 0),
          new TopicPartition(topic, 1));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
    }

    List<ScoreRecord> awaitAtLeast(int n) {
      await().atMost(Duration.ofSeconds(90)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          try {
            records.add(JsonCodec.scoreRecord().decode(r.value()));
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
        return records.size() >= n;
      });
      return records;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  private static HttpResponse<String> http(ApplicationContext ctx, String method, String path,
      String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(ScorerApplication.baseUrl(ctx).resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode model(ApplicationContext ctx) throws Exception {
    HttpResponse<String> r = http(ctx, "GET", "/models/m", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static long activeVersion(ApplicationContext ctx) throws Exception {
    return model(ctx).path("active").path("version").asLong(-1);
  }

  private static void change(ApplicationContext ctx, String method, String action,
      Long version) throws Exception {
    HttpResponse<String> r = http(ctx, method, "/models/m/" + action, TOKEN,
        version == null ? null : "{\"version\": " + version + "}");
    assertThat(r.statusCode()).as(action + ": " + r.body()).isEqualTo(200);
  }

  @Test
  void badVersionsPublishedWhileRecordsStreamAreRejectedAndEveryRecordIsScoredOnce()
      throws Exception {
    Setup s = topics("burst");
    ApplicationContext ctx = scorer(s, "burst-" + System.nanoTime());
    List<String> series = List.of("s0", "s1", "s2", "s3");
    int perSeries = 200;
    AtomicBoolean failed = new AtomicBoolean();
    Thread streamer = new Thread(() -> {
      try {
        for (int i = 0; i < perSeries; i++) {
          for (String id : series) {
            send(s, id, i);
          }
          producer.flush();
          Thread.sleep(10);
        }
      } catch (Exception e) {
        failed.set(true);
      }
    });
    int sent = series.size() * perSeries;
    try (Reader scores = new Reader(s.scores())) {
      streamer.start();
      // Scoring is under way (without a model yet) before the first version arrives.
      scores.awaitAtLeast(40);
      // Versions in quick succession while the records stream: three good, six bad.
      publish(s, TestEnvelopes.signed("m", 1));
      publish(s, "m@v2", TestEnvelopes.corrupt("m", 2));
      publish(s, TestEnvelopes.unsigned("m", 3));
      publish(s, TestEnvelopes.wrongFeatures("m", 4));
      publish(s, TestEnvelopes.referencesDoNotReproduce("m", 5));
      publish(s, TestEnvelopes.signedByStranger("m", 6));
      Thread.sleep(300);
      publish(s, TestEnvelopes.signed("m", 7));
      publish(s, "m@v8", TestEnvelopes.corrupt("m", 8));
      Thread.sleep(300);
      publish(s, TestEnvelopes.signed("m", 9));
      streamer.join();
      assertThat(failed).isFalse();

      List<ScoreRecord> out = scores.awaitAtLeast(sent);
      Thread.sleep(1000);
      scores.awaitAtLeast(sent);
      // Exactly once: every input record has exactly one score record.
      assertThat(out).hasSize(sent);
      Set<String> keys = new HashSet<>();
      out.forEach(r -> keys.add(r.series() + "@" + r.timestamp()));
      assertThat(keys).hasSize(sent);
      assertThat(out).filteredOn(r -> r.status() == ScoreStatus.NO_MODEL).isNotEmpty()
          .allSatisfy(r -> assertThat(r.modelName()).isEqualTo("m"));
      // Only verified versions scored; per series the version never goes back.
      assertThat(out).filteredOn(r -> r.status() == ScoreStatus.SCORED)
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.modelVersion()).isIn(1L, 7L, 9L));
      for (String id : series) {
        List<Long> versions = out.stream().filter(r -> r.series().equals(id)
            && r.status() == ScoreStatus.SCORED).map(ScoreRecord::modelVersion).toList();
        assertThat(versions).as(id).isSorted();
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> activeVersion(ctx) == 9);
    Map<Long, String> rejected = new HashMap<>();
    for (JsonNode v : model(ctx).path("versions")) {
      if (v.path("status").asText().equals("REJECTED")) {
        rejected.put(v.path("version").asLong(), v.path("reasonCode").asText());
        assertThat(v.path("reason").asText()).isNotBlank();
      }
    }
    assertThat(rejected).containsExactlyInAnyOrderEntriesOf(Map.of(2L, "checksum",
        3L, "unsigned", 4L, "incompatible", 5L, "reference_mismatch", 6L, "untrusted_key",
        8L, "checksum"));
    String metrics = http(ctx, "GET", "/prometheus", null, null).body();
    assertThat(metrics)
        .contains("streamvae_model_loads_total{outcome=\"rejected\",reason=\"checksum\"} 2.0")
        .contains("streamvae_model_loads_total{outcome=\"rejected\",reason=\"unsigned\"} 1.0")
        .contains("streamvae_model_loads_total{outcome=\"rejected\",reason=\"reference_mismatch\"} 1.0")
        .contains("streamvae_model_version{model=\"m\"} 9.0");
  }

  @Test
  void pinRollbackShadowAndPromoteEndToEndAcrossInstancesAndARestart() throws Exception {
    Setup s = topics("policy");
    for (long v = 1; v <= 3; v++) {
      publish(s, TestEnvelopes.signed("m", v));
    }
    String appId = "policy-" + System.nanoTime();
    ApplicationContext a = scorer(s, appId);
    await().atMost(Duration.ofSeconds(30)).until(() -> activeVersion(a) == 3);
    ApplicationContext b = scorer(s, appId);
    assertThat(activeVersion(b)).as("a new instance has the active version at once").isEqualTo(3);

    // Changes need the token; reading does not.
    assertThat(http(a, "POST", "/models/m/rollback", null, null).statusCode()).isEqualTo(401);
    assertThat(http(a, "POST", "/models/m/rollback", "wrong-token-wrong-token", null)
        .statusCode()).isEqualTo(401);
    assertThat(http(a, "POST", "/models/m/pin", TOKEN, "{\"version\": 42}").statusCode())
        .as("an unknown version cannot be pinned").isEqualTo(409);

    int next = 0;
    try (Reader scores = new Reader(s.scores()); Reader shadow = new Reader(s.shadow())) {
      // Roll back: the newest verified version older than the active one; both instances follow.
      change(a, "POST", "rollback", null);
      assertThat(activeVersion(a)).isEqualTo(2);
      await().atMost(Duration.ofSeconds(20)).until(() -> activeVersion(b) == 2);
      next = sendAndCheck(s, scores, next, 2L);

      change(b, "POST", "pin", 1L);
      await().atMost(Duration.ofSeconds(20)).until(() -> activeVersion(a) == 1);
      next = sendAndCheck(s, scores, next, 1L);

      change(a, "DELETE", "pin", null);
      await().atMost(Duration.ofSeconds(20)).until(() -> activeVersion(b) == 3);
      next = sendAndCheck(s, scores, next, 3L);

      // A held candidate is verified but not activated; shadow it, then promote it.
      publish(s, TestEnvelopes.heldCandidate("m", 4));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (JsonNode v : model(b).path("versions")) {
          if (v.path("version").asLong() == 4) {
            return v.path("status").asText().equals("VERIFIED");
          }
        }
        return false;
      });
      assertThat(activeVersion(a)).isEqualTo(3);
      change(a, "POST", "shadow", 4L);
      await().atMost(Duration.ofSeconds(20)).until(() -> model(b).path("shadow")
          .path("version").asLong() == 4);
      int shadowFrom = next;
      next = sendAndCheck(s, scores, next, 3L);
      int shadowTo = next;
      List<ScoreRecord> candidate = shadow.awaitAtLeast(2 * (shadowTo - shadowFrom));
      assertThat(candidate).hasSize(2 * (shadowTo - shadowFrom)).allSatisfy(r -> {
        assertThat(r.modelVersion()).isEqualTo(4L);
        assertThat(r.timestamp()).isBetween(shadowFrom * TestEnvelopes.STEP,
            (shadowTo - 1) * TestEnvelopes.STEP);
      });

      change(b, "POST", "promote", 4L);
      await().atMost(Duration.ofSeconds(20)).until(() -> activeVersion(a) == 4
          && model(a).path("shadow").isNull());
      next = sendAndCheck(s, scores, next, 4L);

      // Pin an older version, stop every instance, and start a fresh one: it serves the pin
      // from its first record. (A new application id: the old members did not leave the group,
      // and waiting out their session would take 45 s; the new instance re-scores the whole
      // input, which shows the pinned version on every record it emits.)
      change(a, "POST", "pin", 2L);
      await().atMost(Duration.ofSeconds(20)).until(() -> activeVersion(b) == 2);
      stopScorers();
      int before = scores.records.size();
      ApplicationContext c = scorer(s, appId + "-restarted");
      assertThat(activeVersion(c)).isEqualTo(2);
      assertThat(model(c).path("policy").path("pin").asLong()).isEqualTo(2);
      for (int i = next; i < next + 3; i++) {
        send(s, "p0", i);
        send(s, "p1", i);
      }
      producer.flush();
      int expected = 2 * (next + 3);
      List<ScoreRecord> again = scores.awaitAtLeast(before + expected);
      assertThat(again.subList(before, again.size())).hasSize(expected)
          .allSatisfy(r -> assertThat(r.modelVersion()).isEqualTo(2L));
    }
  }

  /**
   * Sends window-filling records to two series and checks that every one of them is scored by
   * {@code version}; returns the next record index.
   */
  private static int sendAndCheck(Setup s, Reader scores, int from, long version) {
    int count = TestEnvelopes.WINDOW + 2;
    for (int i = from; i < from + count; i++) {
      send(s, "p0", i);
      send(s, "p1", i);
    }
    producer.flush();
    int before = scores.records.size();
    List<ScoreRecord> out = scores.awaitAtLeast(before + 2 * count);
    List<ScoreRecord> fresh = out.subList(before, out.size());
    assertThat(fresh).hasSize(2 * count);
    assertThat(fresh).filteredOn(r -> r.timestamp() >= (long) (from + TestEnvelopes.WINDOW)
        * TestEnvelopes.STEP).allSatisfy(r -> {
          assertThat(r.status()).isEqualTo(ScoreStatus.SCORED);
          assertThat(r.modelVersion()).isEqualTo(version);
        });
    return from + count;
  }
}
