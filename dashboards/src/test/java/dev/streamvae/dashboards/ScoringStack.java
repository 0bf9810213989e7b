package dev.streamvae.dashboards;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.scorer.ScorerApplication;
import dev.streamvae.testkit.KafkaCluster;
import dev.streamvae.testkit.Topics;
import dev.streamvae.trainer.ModelPublisher;
import dev.streamvae.trainer.TrainerMetrics;
import dev.streamvae.vae.EpochStats;
import dev.streamvae.vae.ModelBundle;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real scorer on a real broker, plus the trainer's metrics endpoint, driven through the states
 * the dashboards and alerts chart: records with no model, version 1 (warming up, scored, a
 * spike that is flagged), malformed records (dead letters), a corrupt envelope (a rejected
 * load) and version 2.
 */
final class ScoringStack implements AutoCloseable {

  static final String MODEL = "dash";
  private static final int WINDOW = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private KafkaCluster cluster;
  private ApplicationContext scorer;
  private URI scorerUrl;
  private TrainerMetrics trainerMetrics;
  private KafkaProducer<String, byte[]> producer;
  private ModelPublisher publisher;
  private CompletableFuture<ModelBundle> training;
  private final Map<String, Long> lastTimestamp = new HashMap<>();
  private final Map<String, Integer> nextIndex = new HashMap<>();

  /** Starts the broker, the scorer (no model yet) and the trainer's metrics endpoint. */
  static ScoringStack start() throws IOException {
    ScoringStack stack = new ScoringStack();
    try {
      stack.doStart();
      return stack;
    } catch (IOException | RuntimeException | Error e) {
      stack.close();
      throw e;
    }
  }

  private void doStart() throws IOException {
    trainerMetrics = new TrainerMetrics(MODEL, Clock.systemUTC())
        .serve(new InetSocketAddress("127.0.0.1", 0));
    closeables.add(trainerMetrics);
    // Training needs no broker: it runs while the broker and the scorer start.
    training = CompletableFuture.supplyAsync(this::train);
    cluster = KafkaCluster.start();
    closeables.add(cluster);
    Topics.createAndAwait(cluster.bootstrapServers(), List.of(
        new NewTopic("metrics", 2, (short) 1), new NewTopic("anomaly-scores", 2, (short) 1),
        new NewTopic("anomaly-alerts", 1, (short) 1),
        new NewTopic("anomaly-dead-letters", 1, (short) 1)), Duration.ofSeconds(30));
    Path stateDir = Files.createTempDirectory("dashboards-it-");
    Map<String, Object> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", cluster.bootstrapServers());
    props.put("scorer.application-id", "dashboards-it-" + System.nanoTime());
    props.put("scorer.model-name", MODEL);
    props.put("scorer.state-dir", stateDir.toString());
    props.put("scorer.model-startup-wait", "1s");
    // The stack publishes unsigned test models: allowed here as in development.
    props.put("scorer.models.allow-unsigned", true);
    props.put("scorer.max-batch-delay", "10ms");
    props.put("micronaut.server.port", -1);
    props.put("micronaut.server.host", "127.0.0.1");
    scorer = ScorerApplication.start(props);
    closeables.add(0, scorer);
    scorerUrl = ScorerApplication.baseUrl(scorer);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 10_000_000),
        new StringSerializer(), new ByteArraySerializer());
    closeables.add(0, producer);
    publisher = new ModelPublisher(
        Map.of("bootstrap.servers", cluster.bootstrapServers()), "anomaly-models");
    publisher.ensureTopic();
  }

  /** host:port of the scorer's HTTP server. */
  String scorerTarget() {
    return scorerUrl.getHost() + ":" + scorerUrl.getPort();
  }

  /** host:port of the trainer's metrics endpoint. */
  String trainerTarget() {
    return "127.0.0.1:" + trainerMetrics.port();
  }

  /** Waits until Kafka Streams runs (health UP). */
  void awaitUp() {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/health").path("status").asText().equals("UP"));
  }

  /** Trains a tiny model (a few seconds), feeding the trainer's metrics like a real run. */
  private ModelBundle train() {
    int epochs = 4;
    trainerMetrics.runStarted(epochs);
    long started = System.nanoTime();
    TrainingSet.Builder data = TrainingSet.builder(List.of("value"), WINDOW, 1);
    long[] ts = new long[300];
    double[][] values = new double[300][1];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = i * 1_000L;
      values[i][0] = Math.sin(i / 4.0);
    }
    data.addSeries("train", ts, values);
    // Whole-window scores: the spike is then flagged in every window that holds it, enough of the
    // stack's few records for the anomaly-burst alert that DashboardQueriesIT expects.
    ModelBundle bundle = VaeTrainer.train(data.build(), VaeConfig.builder()
        .scoreTarget(VaeConfig.ScoreTarget.WINDOW).windowLength(WINDOW).featureCount(1).hiddenSizes(16).latentDim(2).epochs(epochs).mcSamples(2).build(),
        (EpochStats s) -> trainerMetrics.onEpoch(s))
        .toBundle(MODEL, 0, Instant.now());
    trainerMetrics.runSucceeded(0, Duration.ofNanos(System.nanoTime() - started));
    return bundle;
  }

  /** The model trained in the background since start, once it is ready. */
  ModelBundle trained() {
    return training.join();
  }

  /** Publishes the trained model as the next version and waits until it serves. */
  long publishNextVersion() {
    long version = publisher.latestVersion(MODEL) + 1;
    publisher.publish(trained().withVersion(version));
    awaitActiveVersion(version);
    return version;
  }

  /** Publishes a corrupt envelope (last byte flipped) and waits until it is rejected. */
  void publishCorruptVersion() {
    byte[] corrupt = trained().withVersion(publisher.latestVersion(MODEL) + 1).toBytes();
    corrupt[corrupt.length - 1] ^= 0x55;
    producer.send(new ProducerRecord<>("anomaly-models", MODEL, corrupt));
    producer.flush();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/model").path("attempts").path(0).path("outcome").asText()
            .equals("REJECTED"));
  }

  private void awaitActiveVersion(long version) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/model").path("active").path("version").asLong() == version);
  }

  /**
   * Sends {@code count} points of a sine series, stamped with the current time (so end-to-end
   * latency is real); with {@code spike} the last one is far off the curve.
   */
  void sendPoints(String series, int count, boolean spike) {
    for (int n = 0; n < count; n++) {
      int i = nextIndex.merge(series, 1, Integer::sum) - 1;
      long ts = Math.max(System.currentTimeMillis(), lastTimestamp.getOrDefault(series, 0L) + 1);
      lastTimestamp.put(series, ts);
      double value = spike && n == count - 1 ? 40.0 : Math.sin(i / 4.0);
      producer.send(new ProducerRecord<>("metrics", series, JsonCodec.metricRecord().encode(
          new MetricRecord(series, ts, Map.of("value", value)))));
    }
    producer.flush();
  }

  /** Sends records that must be dead-lettered: not JSON, no key, a NaN value. */
  void sendBadRecords() {
    producer.send(new ProducerRecord<>("metrics", "bad", "{not json".getBytes(
        StandardCharsets.UTF_8)));
    producer.send(new ProducerRecord<>("metrics", null, "{\"timestamp\": 1, \"values\": {}}"
        .getBytes(StandardCharsets.UTF_8)));
    producer.send(new ProducerRecord<>("metrics", "nan", ("{\"timestamp\": "
        + System.currentTimeMillis() + ", \"values\": {\"value\": \"NaN\"}}")
        .getBytes(StandardCharsets.UTF_8)));
    producer.flush();
  }

  /** Input records the scorer has counted so far (all outcomes), from its /prometheus text. */
  long recordsCounted() throws IOException, InterruptedException {
    long total = 0;
    for (String line : scrape().split("\n")) {
      if (line.startsWith("streamvae_records_total{")) {
        total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  /** Waits until the scorer has counted {@code expected} input records. */
  void awaitRecordsCounted(long expected) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> recordsCounted() >= expected);
  }

  /** The scorer's {@code /prometheus} text. */
  String scrape() throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(scorerUrl.resolve("/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** A scorer endpoint's JSON. */
  JsonNode get(String path) throws IOException, InterruptedException {
    return JSON.readTree(http.send(HttpRequest.newBuilder(scorerUrl.resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  @Override
  public void close() {
    if (training != null) {
      training.cancel(false);
    }
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // best effort: the next one still closes
      }
    }
    closeables.clear();
  }
}
