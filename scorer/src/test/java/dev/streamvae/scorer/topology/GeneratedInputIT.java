package dev.streamvae.scorer.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamvae.scorer.ScorerApplication;
import dev.streamvae.scorer.streams.ScoringService;
import dev.streamvae.testkit.EmbeddedKafkaCluster;
import dev.streamvae.testkit.Topics;
import dev.streamvae.trainer.ModelPublisher;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A slice of the generated input (3,000 random and mutated records) thrown at a running scorer
 * serving a model, on a real broker: every record has one output, and the stream thread that started is the one
 * still running at the end (none died and was replaced).
 */
@Tag("slow")
class GeneratedInputIT {

  private static final int RECORDS = 3_000;

  @Test
  void aRunningScorerAnswersEveryGeneratedRecordAndItsStreamThreadSurvives() throws Exception {
    Path state = Files.createTempDirectory("scorer-generated-");
    try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start()) {
      String bootstrap = cluster.bootstrapServers();
      Topics.createAndAwait(bootstrap, List.of(new NewTopic("metrics", 3, (short) 1),
          new NewTopic("anomaly-scores", 3, (short) 1), new NewTopic("anomaly-alerts", 1,
              (short) 1), new NewTopic("anomaly-dead-letters", 1, (short) 1)),
          Duration.ofSeconds(30));
      Map<String, Object> props = new HashMap<>();
      props.put("kafka.bootstrap.servers", bootstrap);
      props.put("scorer.application-id", "generated-it-" + System.nanoTime());
      props.put("scorer.state-dir", state.toString());
      props.put("scorer.model-name", "m");
      // This test is about input, not signing: its model is unsigned.
      props.put("scorer.models.allow-unsigned", true);
      props.put("scorer.model-startup-wait", "20s");
      props.put("scorer.max-record-bytes", 2048);
      props.put("scorer.max-features", 16);
      props.put("micronaut.server.port", -1);
      props.put("micronaut.server.host", "127.0.0.1");
      ModelPublisher publisher = new ModelPublisher(Map.of("bootstrap.servers", bootstrap),
          "anomaly-models");
      publisher.ensureTopic();
      publisher.publish(BadInputTopologyTest.trainSmallBundle());
      ApplicationContext scorer = ScorerApplication.start(props);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG,
              "all"), new ByteArraySerializer(), new ByteArraySerializer());
           KafkaConsumer<byte[], byte[]> outputs = new KafkaConsumer<>(Map.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
              ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
              new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        ScoringService service = scorer.getBean(ScoringService.class);
        await().atMost(Duration.ofSeconds(60))
            .until(() -> service.state() == KafkaStreams.State.RUNNING);
        Set<String> threadsAtStart = service.streamThreadNames();

        GeneratedInput generator = new GeneratedInput(7, 30,
            Instant.now().minus(Duration.ofDays(30)).toEpochMilli(), 60_000, 2048);
        for (int i = 0; i < RECORDS; i++) {
          GeneratedInput.Input in = generator.next();
          producer.send(new ProducerRecord<>("metrics", in.key(), in.value()));
        }
        producer.flush();

        List<TopicPartition> parts = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
          parts.add(new TopicPartition("anomaly-scores", p));
        }
        parts.add(new TopicPartition("anomaly-dead-letters", 0));
        outputs.assign(parts);
        outputs.seekToBeginning(parts);
        Map<String, Integer> byTopic = new TreeMap<>();
        Map<String, Integer> reasons = new TreeMap<>();
        int[] total = {0};
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(10)).until(() -> {
          for (ConsumerRecord<byte[], byte[]> r : outputs.poll(Duration.ofMillis(200))) {
            total[0]++;
            byTopic.merge(r.topic(), 1, Integer::sum);
            Header reason = r.headers().lastHeader(DeadLetterReason.HEADER_REASON);
            if (r.topic().equals("anomaly-dead-letters")) {
              assertThat(reason).isNotNull();
              reasons.merge(new String(reason.value()), 1, Integer::sum);
            }
          }
          return total[0] >= RECORDS;
        });
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
          total[0] += outputs.poll(Duration.ofMillis(200)).count();
        }
        assertThat(total[0]).as("in == scored + deadLettered + unscored " + byTopic)
            .isEqualTo(RECORDS);
        assertThat(reasons).doesNotContainKey(DeadLetterReason.PROCESSING_FAILED.code())
            .containsKeys("unparseable", "record-too-large", "out-of-order",
                "missing-feature");
        assertThat(scorer.getBean(io.micrometer.core.instrument.MeterRegistry.class)
            .find("streamvae.records").tag("outcome", "scored").counter())
            .as("the model scored some of them").isNotNull()
            .satisfies(c -> assertThat(c.count()).isPositive());
        assertThat(service.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(service.streamThreadNames()).as("no stream thread died and was replaced")
            .isEqualTo(threadsAtStart);
      } finally {
        scorer.close();
      }
    }
  }
}
