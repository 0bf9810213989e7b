package dev.streamvae.cli;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.testkit.LabeledPoint;
import dev.streamvae.testkit.SyntheticMetrics;
import dev.streamvae.testkit.Topics;
import dev.streamvae.trainer.KafkaClientOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code anomaly produce}: seeded synthetic metrics with injected anomalies, to a topic. */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Produce seeded synthetic seasonal series with injected spikes and level shifts:",
        "first --history back-dated points per series (to train on), then live points every",
        "--step-ms until --duration ends. Creates the topic if it is missing."})
public final class ProduceCommand implements Callable<Integer> {

  @Mixin
  KafkaClientOptions kafka = new KafkaClientOptions();

  @Option(names = "--topic", defaultValue = "metrics", description = "Topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--partitions", defaultValue = "3",
      description = "Partitions if the topic is created (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--series", defaultValue = "8", description = "Series (default: ${DEFAULT-VALUE}).")
  int series;

  @Option(names = "--history", defaultValue = "1200",
      description = "Back-dated points per series (default: ${DEFAULT-VALUE}).")
  int history;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
      description = "Seconds of live points after the history; 0 for none (default: ${DEFAULT-VALUE}).")
  long durationSeconds;

  @Option(names = "--step-ms", defaultValue = "50",
      description = "Milliseconds between points of a series (default: ${DEFAULT-VALUE}).")
  long stepMillis;

  @Option(names = "--anomaly-rate", defaultValue = "0.004",
      description = "Chance a point starts an injected anomaly (default: ${DEFAULT-VALUE}).")
  double anomalyRate;

  @Option(names = "--seed", defaultValue = "7", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    if (history < 0 || durationSeconds < 0 || stepMillis < 1 || series < 1 || partitions < 1) {
      throw new IllegalArgumentException(
          "--history and --duration must not be negative; --step-ms, --series and --partitions must be positive");
    }
    Map<String, Object> props = new HashMap<>(kafka.clientProperties());
    Topics.createAndAwait(kafka.bootstrapServers(),
        List.of(new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty())), Duration.ofSeconds(60));
    SyntheticMetrics data = SyntheticMetrics.builder().seed(seed).seriesCount(series)
        .stepMillis(stepMillis).anomalyRate(anomalyRate).build();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    long liveStart = System.currentTimeMillis();
    long origin = liveStart - history * stepMillis;
    long liveEnd = liveStart + durationSeconds * 1000;
    long sent = 0;
    long anomalies = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props,
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; ; i++) {
        long due = origin + i * stepMillis;
        if (i >= history) {
          if (due >= liveEnd) {
            break;
          }
          long wait = due - System.currentTimeMillis();
          if (wait > 0) {
            Thread.sleep(wait);
          }
        }
        for (LabeledPoint p : data.points(origin, i, i + 1)) {
          producer.send(new ProducerRecord<>(topic, null, p.timestamp(), p.series(),
              JsonCodec.metricRecord().encode(data.toRecord(p))));
          sent++;
          anomalies += p.anomaly() ? 1 : 0;
        }
        if (i + 1 == history) {
          producer.flush();
          System.out.printf("produced %,d back-dated records (%,d injected anomalous points)%n",
              sent, anomalies);
        }
      }
    }
    System.out.printf("produced %,d records in all (%,d injected anomalous points) to '%s'%n",
        sent, anomalies, topic);
    return 0;
  }
}
