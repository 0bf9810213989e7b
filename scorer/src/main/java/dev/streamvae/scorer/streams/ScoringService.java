package dev.streamvae.scorer.streams;

import dev.streamvae.scorer.KafkaClientConfig;
import dev.streamvae.scorer.ScorerConfig;
import dev.streamvae.scorer.live.LiveFeed;
import dev.streamvae.scorer.metrics.ScoringMetrics;
import dev.streamvae.scorer.model.ModelRegistry;
import dev.streamvae.scorer.model.ModelTopicWatcher;
import dev.streamvae.scorer.topology.ScoringListener;
import dev.streamvae.scorer.topology.ScoringTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the scoring topology. On start it first follows the models topic until it has read what
 * is there (bounded by {@code scorer.model-startup-wait}), so a restarted scorer scores with its
 * model from the first record; then it starts Kafka Streams. Stopped with the context.
 */
@Context
public class ScoringService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ScoringService.class);

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final ModelTopicWatcher watcher;
  private final Topology topology;

  /**
   * Builds and starts the application. The topology tells {@code metrics} and, when the live
   * page is enabled, {@code liveFeed} of every outcome.
   */
  public ScoringService(ScorerConfig config, KafkaClientConfig kafka, ModelRegistry registry,
      ModelTopicWatcher watcher, ScoringMetrics metrics, @Nullable LiveFeed liveFeed,
      MeterRegistry meterRegistry, Clock clock) throws InterruptedException {
    this.watcher = watcher;
    watcher.start();
    if (!watcher.awaitCaughtUp(config.modelStartupWait())) {
      LOG.warn("models topic not read to its end within {}; starting anyway",
          config.modelStartupWait());
    }
    ScoringListener listener = liveFeed == null ? metrics
        : ScoringListener.both(metrics, liveFeed);
    topology = ScoringTopology.build(new StreamsBuilder(), config.topologySettings(), registry,
        listener, clock);
    LOG.info("scoring topology:\n{}", topology.describe());
    streams = new KafkaStreams(topology, streamsProperties(config, kafka));
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("stream thread failed; replacing it", e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    streams.setStateListener((now, before) -> LOG.info("streams {} -> {}", before, now));
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(meterRegistry);
    streams.start();
  }

  static Properties streamsProperties(ScorerConfig config, KafkaClientConfig kafka) {
    Properties props = new Properties();
    props.putAll(kafka.properties());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
    props.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG),
        "earliest");
    StreamsTuning.applyDefaults(props);
    if (config.stateDir() != null) {
      props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
    }
    return props;
  }

  /** The Kafka Streams state, for health. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Names of the live stream threads; a replaced thread gets a new name. */
  public Set<String> streamThreadNames() {
    Set<String> names = new TreeSet<>();
    streams.metadataForLocalThreads().forEach(t -> names.add(t.threadName()));
    return names;
  }

  /** Input partitions this instance currently processes, e.g. {@code metrics-3}. */
  public Set<String> activePartitions() {
    Set<String> partitions = new TreeSet<>();
    streams.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task ->
        task.topicPartitions().forEach(tp -> partitions.add(tp.toString()))));
    return partitions;
  }

  /** Input partitions whose state this instance keeps warm as a standby replica. */
  public Set<String> standbyPartitions() {
    Set<String> partitions = new TreeSet<>();
    streams.metadataForLocalThreads().forEach(t -> t.standbyTasks().forEach(task ->
        task.topicPartitions().forEach(tp -> partitions.add(tp.toString()))));
    return partitions;
  }

  /** The running topology, for the info endpoint and tests. */
  public Topology topology() {
    return topology;
  }

  @Override
  @PreDestroy
  public void close() {
    // Leaving the group hands this instance's partitions to the others at once, rather than
    // after the session timeout (Kafka Streams stays in the group on close by default).
    streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
        .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    streamsMetrics.close();
    watcher.close();
  }
}
