package dev.streamvae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.SchemaException;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.scorer.ScorerApplication;
import dev.streamvae.testkit.KafkaCluster;
import dev.streamvae.testkit.LabeledPoint;
import dev.streamvae.testkit.SyntheticMetrics;
import dev.streamvae.testkit.Topics;
import dev.streamvae.trainer.KafkaHistorySource;
import dev.streamvae.trainer.TrainingRequest;
import dev.streamvae.trainer.TrainingRun;
import dev.streamvae.vae.SigningKeys;
import java.security.KeyPair;
import dev.streamvae.vae.EpochStats;
import dev.streamvae.vae.VaeConfig;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole product on one machine: an embedded broker, synthetic series with injected anomalies
 * (history back-dated, then live), the scorer service, and the trainer publishing version 1 and,
 * later, version 2 while records keep flowing. Prints what happens and ends with a summary that
 * accounts for every produced record.
 */
public final class DemoRun {

  static final String METRICS = "metrics";
  static final String SCORES = "anomaly-scores";
  static final String ALERTS = "anomaly-alerts";
  static final String DEAD_LETTERS = "anomaly-dead-letters";
  static final String MODELS = "anomaly-models";
  static final String MODEL_NAME = "demo";
  private static final int PARTITIONS = 3;
  private static final int JUNK_EVERY = 400;
  private static final Duration SETTLE = Duration.ofSeconds(90);
  /** How long past the duration a fit in progress may take before the producer stops. */
  private static final Duration TRAINING_GRACE = Duration.ofMinutes(3);
  /** How long a just-published version may take to score its first record. */
  private static final Duration SERVING_GRACE = Duration.ofSeconds(30);

  private final DemoOptions options;
  private final PrintStream out;
  private final Ledger ledger = new Ledger();
  private final AtomicBoolean producing = new AtomicBoolean(true);
  private final AtomicBoolean consuming = new AtomicBoolean(true);
  private final AtomicLong inputSequence = new AtomicLong(1_000_000_000L);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<Long> published = new CopyOnWriteArrayList<>();
  /** The Ed25519 pair this run's trainer signs with and its scorer trusts. */
  private final KeyPair signingKeys = SigningKeys.generate();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  /**
   * @param options what to run
   * @param out where the live lines go
   */
  public DemoRun(DemoOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** The result of a run: the summary written to the file, and whether every record balanced. */
  public record Result(Map<String, Object> summary, boolean balanced) {}

  /** Runs the demo to its end and returns the summary. */
  public Result run() throws Exception {
    Instant started = Instant.now();
    Path workDir = Files.createTempDirectory("streamvae-demo-");
    say("starting an embedded Kafka broker ...");
    try (KafkaCluster cluster = KafkaCluster.startEmbedded()) {
      String bootstrap = cluster.bootstrapServers();
      say("broker at " + bootstrap);
      Topics.createAndAwait(bootstrap, List.of(
          new NewTopic(METRICS, PARTITIONS, (short) 1),
          new NewTopic(SCORES, PARTITIONS, (short) 1),
          new NewTopic(ALERTS, PARTITIONS, (short) 1),
          new NewTopic(DEAD_LETTERS, 1, (short) 1)), Duration.ofSeconds(60));

      SyntheticMetrics data = SyntheticMetrics.builder()
          .seed(options.seed())
          .seriesCount(options.seriesCount())
          .stepMillis(options.step().toMillis())
          .period(96)
          .noise(0.05)
          .anomalyRate(options.anomalyRate())
          .build();
      long stepMillis = options.step().toMillis();
      long liveStart = System.currentTimeMillis();
      long origin = liveStart - options.historyPoints() * stepMillis;

      try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
        say("producing " + options.historyPoints() + " back-dated points for each of "
            + options.seriesCount() + " series ...");
        for (LabeledPoint p : data.points(origin, 0, options.historyPoints())) {
          send(producer, data, p);
        }
        producer.flush();

        Map<String, Object> scorerProps = new HashMap<>();
        scorerProps.put("kafka.bootstrap.servers", bootstrap);
        scorerProps.put("scorer.application-id", "streamvae-demo-" + liveStart);
        scorerProps.put("scorer.model-name", MODEL_NAME);
        scorerProps.put("scorer.state-dir", workDir.resolve("streams").toString());
        scorerProps.put("scorer.model-startup-wait", "2s");
        // The demo's trainer signs every version with a key made for this run; the scorer
        // trusts only that key, as a production scorer would trust its trainers' keys.
        scorerProps.put("scorer.models.trusted-keys", List.of(
            SigningKeys.pem("PUBLIC KEY", signingKeys.getPublic().getEncoded())));
        scorerProps.put("micronaut.server.port", options.httpPort() == 0 ? -1
            : options.httpPort());
        scorerProps.put("micronaut.server.host", "127.0.0.1");
        say("starting the scorer (no model yet: records are answered NO_MODEL) ...");
        try (ApplicationContext scorer = ScorerApplication.start(scorerProps)) {
          URI url = ScorerApplication.baseUrl(scorer);
          say("scorer HTTP: " + url + "/health  " + url + "/model  " + url + "/prometheus");

          Thread consumer = thread("demo-ledger", () -> consume(bootstrap));
          Thread live = thread("demo-producer",
              () -> produceLive(producer, data, origin, liveStart));
          Thread trainer = thread("demo-trainer", () -> trainVersions(bootstrap, liveStart));
          consumer.start();
          live.start();
          trainer.start();

          display(started, liveStart, url);
          awaitTrainingInProgress(trainer);
          producing.set(false);
          live.join();
          producer.flush();
          say("producer stopped; waiting for every record's output ...");
          // A fit in progress finishes and publishes: its version is part of the story.
          trainer.join(300_000);
          settle();
          consuming.set(false);
          consumer.join(10_000);
          Map<String, Object> summary = summary(started, url);
          boolean balanced = ledger.counts().balanced() && failure.get() == null;
          writeSummary(summary);
          return new Result(summary, balanced);
        }
      }
    } finally {
      deleteQuietly(workDir);
    }
  }

  private void trainVersions(String bootstrap, long liveStart) {
    try {
      train(bootstrap, 1);
      long due = liveStart + options.retrainAfter().toMillis();
      while (System.currentTimeMillis() < due && producing.get()) {
        Thread.sleep(200);
      }
      if (producing.get()) {
        train(bootstrap, 2);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      failure.compareAndSet(null, e);
      say("training failed: " + e);
    }
  }

  private void train(String bootstrap, int expectedVersion) throws IOException {
    say("trainer: fitting model version " + expectedVersion + " on the history so far ...");
    Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
    VaeConfig vae = VaeConfig.builder().windowLength(32).featureCount(1).epochs(options.epochs())
        .thresholdQuantile(options.thresholdQuantile())
        .seed(options.seed() + expectedVersion).build();
    TrainingRequest request = new TrainingRequest(
        new KafkaHistorySource(client, METRICS, Instant.EPOCH, Instant.now()),
        MODEL_NAME, List.of(), 1, vae, null,
        new TrainingRequest.PublishTarget(client, MODELS), signingKeys, null);
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true,
        StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    TrainingRun.Result result = new TrainingRun(Clock.systemUTC(), quiet)
        .run(request, this::onEpoch);
    long version = result.bundle().manifest().version();
    published.add(version);
    say(String.format("trainer: published '%s' version %d (%d windows, %.1f s, threshold %.2f)",
        MODEL_NAME, version, result.bundle().manifest().training().windowCount(),
        (System.nanoTime() - t0) / 1e9, result.bundle().manifest().threshold()));
  }

  private void onEpoch(EpochStats s) {
    if (s.epoch() == s.epochs() || s.epoch() % 5 == 0) {
      say(String.format("trainer: epoch %d/%d loss %.3f (recon %.3f, kl %.3f) %,d windows/s",
          s.epoch(), s.epochs(), s.loss(), s.reconstruction(), s.kl(), s.windowsPerSecond()));
    }
  }

  private void produceLive(KafkaProducer<String, byte[]> producer, SyntheticMetrics data,
      long origin, long liveStart) {
    long stepMillis = options.step().toMillis();
    int index = options.historyPoints();
    long sent = 0;
    try {
      while (producing.get()) {
        long due = liveStart + (long) (index - options.historyPoints()) * stepMillis;
        long wait = due - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        for (LabeledPoint p : data.points(origin, index, index + 1)) {
          send(producer, data, p);
          if (++sent % JUNK_EVERY == 0) {
            sendJunk(producer, p, sent / JUNK_EVERY);
          }
        }
        index++;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
      say("producer failed: " + e);
    }
  }

  private void send(KafkaProducer<String, byte[]> producer, SyntheticMetrics data,
      LabeledPoint p) {
    MetricRecord record = data.toRecord(p);
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(METRICS, null, p.timestamp(),
        p.series(), JsonCodec.metricRecord().encode(record));
    r.headers().add(Ledger.SEQUENCE_HEADER,
        Long.toString(inputSequence.incrementAndGet()).getBytes(StandardCharsets.UTF_8));
    ledger.producedValid(p);
    producer.send(r, this::onSendFailure);
  }

  /** Bad input, as real producers send it now and then: it must reach the dead-letter topic. */
  private void sendJunk(KafkaProducer<String, byte[]> producer, LabeledPoint near, long n) {
    String key = near.series();
    byte[] value;
    switch ((int) (n % 3)) {
      case 0 -> value = "{not json".getBytes(StandardCharsets.UTF_8);
      case 1 -> value = ("{\"timestamp\":" + near.timestamp() + ",\"values\":{\"value\":NaN}}")
          .getBytes(StandardCharsets.UTF_8);
      default -> {
        key = null;
        value = JsonCodec.metricRecord().encode(new MetricRecord(null, near.timestamp(),
            Map.of("value", 1.0)));
      }
    }
    long sequence = inputSequence.incrementAndGet();
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(METRICS, key, value);
    r.headers().add(Ledger.SEQUENCE_HEADER,
        Long.toString(sequence).getBytes(StandardCharsets.UTF_8));
    ledger.producedJunk(sequence);
    producer.send(r, this::onSendFailure);
  }

  private void onSendFailure(org.apache.kafka.clients.producer.RecordMetadata m, Exception e) {
    if (e != null) {
      failure.compareAndSet(null, e);
    }
  }

  private void consume(String bootstrap) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    JsonCodec<ScoreRecord> codec = JsonCodec.scoreRecord();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(SCORES, DEAD_LETTERS)) {
        c.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic,
            p.partition())));
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      while (consuming.get()) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(SCORES)) {
            try {
              ledger.onScore(codec.decode(r.value()));
            } catch (SchemaException e) {
              failure.compareAndSet(null, e);
            }
          } else {
            ledger.onDeadLetter(r.headers(), r.value());
          }
        }
      }
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
      say("output consumer failed: " + e);
    }
  }

  private void display(Instant started, long liveStart, URI url) throws InterruptedException {
    long end = options.duration().isZero() ? Long.MAX_VALUE
        : liveStart + options.duration().toMillis();
    while (System.currentTimeMillis() < end && failure.get() == null) {
      Thread.sleep(Math.min(2000, Math.max(1, end - System.currentTimeMillis())));
      Ledger.Counts c = ledger.counts();
      if (!options.quiet()) {
        out.printf("[%4ds] produced %,d  scored %,d  anomalies %,d (alerts %,d)  dead-lettered %,d"
                + "  unscored %,d (warming up %,d, no model %,d)  model versions %s%n",
            Duration.between(started, Instant.now()).toSeconds(), c.produced(), c.scored(),
            c.anomalies(), c.alerts(), c.deadLettered(), c.unscored(), c.warmingUp(), c.noModel(),
            c.modelVersions());
        List<ScoreRecord> alerts = ledger.drainAlerts();
        for (ScoreRecord a : alerts.subList(Math.max(0, alerts.size() - 3), alerts.size())) {
          LabeledPoint truth = ledger.truth(a.series(), a.timestamp());
          out.printf("        ALERT %s at %s: score %.1f > threshold %.1f (model v%d)%s%n",
              a.series(), Instant.ofEpochMilli(a.timestamp()), a.anomalyScore(), a.threshold(),
              a.modelVersion(), truth != null && truth.anomaly()
                  ? " [injected " + truth.anomalyKind() + "]" : "");
        }
      }
    }
    if (failure.get() != null) {
      say("stopping early: " + failure.get());
    }
  }

  /**
   * When the duration ends while a model is still training (a slow or busy machine), keeps the
   * producer running until that model is published and has scored a record, so the hot reload is
   * part of what the demo shows rather than a version that never served; bounded.
   */
  private void awaitTrainingInProgress(Thread trainer) throws InterruptedException {
    if (!trainer.isAlive() || failure.get() != null) {
      return;
    }
    say("a model is still training; producing until it is published and serving ...");
    trainer.join(TRAINING_GRACE.toMillis());
    if (published.isEmpty()) {
      return;
    }
    long latest = published.get(published.size() - 1);
    long deadline = System.currentTimeMillis() + SERVING_GRACE.toMillis();
    while (System.currentTimeMillis() < deadline && failure.get() == null
        && !ledger.counts().modelVersions().contains(latest)) {
      Thread.sleep(200);
    }
  }

  private void settle() throws InterruptedException {
    long deadline = System.currentTimeMillis() + SETTLE.toMillis();
    while (System.currentTimeMillis() < deadline) {
      Ledger.Counts c = ledger.counts();
      if (c.missing() <= 0) {
        return;
      }
      Thread.sleep(250);
    }
    say("timed out waiting for " + ledger.counts().missing() + " outputs");
  }

  private Map<String, Object> summary(Instant started, URI url) {
    Ledger.Counts c = ledger.counts();
    Ledger.Detection d = ledger.detection(32);
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("produced", c.produced());
    s.put("scored", c.scored());
    s.put("anomalies", c.anomalies());
    s.put("alerts", c.alerts());
    s.put("deadLettered", c.deadLettered());
    s.put("unscored", c.unscored());
    s.put("modelVersions", c.modelVersions());
    s.put("publishedVersions", List.copyOf(published));
    s.put("unscoredByStatus", Map.of("WARMING_UP", c.warmingUp(), "NO_MODEL", c.noModel()));
    s.put("deadLetterReasons", c.deadLetterReasons());
    s.put("missing", c.missing());
    s.put("duplicates", c.duplicates());
    s.put("unmatched", c.unmatched());
    Map<String, Object> detection = new LinkedHashMap<>();
    detection.put("injectedEventsScored", d.events());
    detection.put("injectedEventsDetected", d.detectedEvents());
    detection.put("eventRecall", finite(d.eventRecall()));
    detection.put("normalRecordsScored", d.normalScored());
    detection.put("normalRecordsFlagged", d.falsePositives());
    detection.put("falsePositiveRate", finite(d.falsePositiveRate()));
    // What pages a person: the alerts, de-duplicated and surprise-gated.
    detection.put("injectedEventsAlerted", d.alertedEvents());
    detection.put("eventAlertRecall", finite(d.alertRecall()));
    detection.put("normalRecordsAlerted", d.falseAlerts());
    s.put("detection", detection);
    s.put("balanced", c.balanced());
    s.put("error", failure.get() == null ? null : failure.get().toString());
    s.put("scorerUrl", url.toString());
    s.put("durationSeconds", Duration.between(started, Instant.now()).toSeconds());
    s.put("events", List.copyOf(events));
    return s;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? Math.round(v * 10_000) / 10_000.0 : null;
  }

  private void writeSummary(Map<String, Object> summary) throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    String json = mapper.writeValueAsString(summary);
    out.println("summary:");
    out.println(json);
    if (options.summaryFile() != null) {
      Path parent = options.summaryFile().toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(options.summaryFile(), json + System.lineSeparator());
      out.println("wrote " + options.summaryFile());
    }
  }

  private void say(String line) {
    events.add(Instant.now() + " " + line);
    out.println(line);
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private Thread thread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Temporary files only; the OS cleans up what is left.
    }
  }
}
