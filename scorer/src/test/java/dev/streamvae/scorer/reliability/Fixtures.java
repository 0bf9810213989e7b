package dev.streamvae.scorer.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.testkit.Topics;
import dev.streamvae.trainer.ModelPublisher;
import dev.streamvae.vae.ModelBundle;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the reliability tests share: topics, a small trained model, a producer of numbered
 * points, and a read_committed reader of every output that checks "exactly one output per
 * input".
 */
final class Fixtures {

  static final String METRICS = "metrics";
  static final String SCORES = "anomaly-scores";
  static final String ALERTS = "anomaly-alerts";
  static final String DEAD_LETTERS = "anomaly-dead-letters";
  static final String MODELS = "anomaly-models";
  static final String MODEL = "rel";
  static final int WINDOW = 8;
  static final long STEP = 1_000;
  /** Timestamps start 10 days back so that none is in the future. */
  static final long T0 = Instant.now().minus(Duration.ofDays(10)).toEpochMilli();

  private Fixtures() { }

  static void createTopics(String bootstrap, int partitions) {
    Topics.createAndAwait(bootstrap, List.of(new NewTopic(METRICS, partitions, (short) 1),
        new NewTopic(SCORES, partitions, (short) 1), new NewTopic(ALERTS, 1, (short) 1),
        new NewTopic(DEAD_LETTERS, 1, (short) 1)), Duration.ofSeconds(30));
  }

  static double value(int i) {
    return Math.sin(i / 4.0);
  }

  static ModelBundle trainModel() {
    TrainingSet.Builder data = TrainingSet.builder(List.of("value"), WINDOW, 1);
    long[] ts = new long[300];
    double[][] values = new double[300][1];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = i * STEP;
      values[i][0] = value(i);
    }
    data.addSeries("s", ts, values);
    return VaeTrainer.train(data.build(), VaeConfig.builder().windowLength(WINDOW)
        .featureCount(1).hiddenSizes(8).latentDim(2).epochs(3).mcSamples(2).seed(9).build(),
        s -> { }).toBundle(MODEL, 0, Instant.now());
  }

  /** Publishes {@code bundle} as the next version; returns that version. */
  static long publish(Map<String, Object> client, ModelBundle bundle) {
    ModelPublisher publisher = new ModelPublisher(client, MODELS);
    publisher.ensureTopic();
    return publisher.publish(bundle.withVersion(publisher.latestVersion(MODEL) + 1)).version();
  }

  static Map<String, Object> scorerProperties(String bootstrap, String applicationId,
      String stateDir) {
    Map<String, Object> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", bootstrap);
    props.put("scorer.application-id", applicationId);
    props.put("scorer.model-name", MODEL);
    // These tests are about faults, not signing: their models are unsigned (ModelLifecycleIT
    // covers signatures).
    props.put("scorer.models.allow-unsigned", true);
    props.put("scorer.state-dir", stateDir);
    props.put("scorer.model-startup-wait", "20s");
    props.put("micronaut.server.port", -1);
    props.put("micronaut.server.host", "127.0.0.1");
    return props;
  }

  /** Sends the numbered point {@code i} of {@code series}; the key is the series. */
  static ProducerRecord<String, byte[]> point(String series, int i) {
    return new ProducerRecord<>(METRICS, series, JsonCodec.metricRecord().encode(
        new MetricRecord(null, T0 + i * STEP, Map.of("value", value(i)))));
  }

  static KafkaProducer<String, byte[]> producer(Map<String, Object> client) {
    Map<String, Object> props = new HashMap<>(client);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Reads every committed output (scores and dead letters) from the beginning, keyed by
   * {@code series@timestamp}.
   */
  static final class Outputs implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    final Map<String, List<ScoreRecord>> scores = new HashMap<>();
    final Map<String, List<String>> deadLetters = new HashMap<>();
    int total;

    Outputs(Map<String, Object> client, int partitions) {
      Map<String, Object> props = new HashMap<>(client);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumer = new KafkaConsumer<>(props, new StringDeserializer(),
          new ByteArrayDeserializer());
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        parts.add(new TopicPartition(SCORES, p));
      }
      parts.add(new TopicPartition(DEAD_LETTERS, 0));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
    }

    /** Polls once; returns the number of outputs read so far. */
    int poll() {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        total++;
        if (r.topic().equals(SCORES)) {
          try {
            ScoreRecord s = JsonCodec.scoreRecord().decode(r.value());
            scores.computeIfAbsent(s.series() + "@" + s.timestamp(), k -> new ArrayList<>())
                .add(s);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        } else {
          Header reason = r.headers().lastHeader("streamvae.dlq.reason");
          deadLetters.computeIfAbsent(r.key() + "@" + new String(r.value(),
              StandardCharsets.UTF_8), k -> new ArrayList<>()).add(
              reason == null ? "?" : new String(reason.value(), StandardCharsets.UTF_8));
        }
      }
      return total;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /**
   * Asserts that points {@code 0..perSeries-1} of every series each have exactly one score, and
   * nothing else was emitted; and that each series warmed up once: its first {@code WINDOW - 1}
   * points are WARMING_UP and every later point is SCORED (a window lost in a crash, restart or
   * move would show as WARMING_UP again).
   */
  static void assertExactlyOnceAndWindowsKept(Outputs outputs, List<String> series,
      int perSeries) {
    assertThat(outputs.deadLetters).as("dead letters").isEmpty();
    Map<String, Integer> duplicates = new TreeMap<>();
    List<String> missing = new ArrayList<>();
    List<String> rewarmed = new ArrayList<>();
    for (String s : series) {
      for (int i = 0; i < perSeries; i++) {
        String key = s + "@" + (T0 + i * STEP);
        List<ScoreRecord> got = outputs.scores.get(key);
        if (got == null) {
          missing.add(key);
          continue;
        }
        if (got.size() > 1) {
          duplicates.put(key, got.size());
        }
        ScoreStatus expected = i < WINDOW - 1 ? ScoreStatus.WARMING_UP : ScoreStatus.SCORED;
        if (got.get(0).status() != expected) {
          rewarmed.add(key + "=" + got.get(0).status());
        }
      }
    }
    assertThat(missing.size()).as("inputs without an output, e.g. %s", first(missing))
        .isZero();
    assertThat(duplicates.size()).as("inputs with more than one output, e.g. %s",
        first(new ArrayList<>(duplicates.entrySet()))).isZero();
    assertThat(rewarmed.size()).as("points whose window was not the one expected, e.g. %s",
        first(rewarmed)).isZero();
    assertThat(outputs.total).as("outputs in all").isEqualTo(series.size() * perSeries);
  }

  private static String first(List<?> items) {
    return items.subList(0, Math.min(5, items.size())).toString();
  }
}
