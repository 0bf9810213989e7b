package dev.streamvae.scorer.streams;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka Streams settings the scorer changes from the library's defaults, measured with
 * {@code anomaly bench} (docs/benchmarks.md). Each is a default only: a {@code kafka.*} property
 * of the same name wins.
 */
public final class StreamsTuning {

  /**
   * Commit interval. Under exactly-once a score becomes visible to {@code read_committed}
   * consumers only when its transaction commits, so this interval (Kafka Streams' exactly-once
   * default is 100 ms) is most of the end-to-end latency; 50 ms halves that wait for a few more
   * transaction markers per second.
   */
  public static final Duration COMMIT_INTERVAL = Duration.ofMillis(50);

  /**
   * {@code max.task.idle.ms}: -1, no idling. Idling makes a task whose co-partitioned inputs are
   * not all buffered wait for them, to process them in timestamp order; the scorer's tasks read
   * one partition of one topic, so there is nothing to wait for and the setting changes no
   * result. What it saves: with idling on, Kafka Streams 4.3.1 builds a log message with {@code
   * String.format} in {@code PartitionGroup.readyToProcess} before every record it processes,
   * whether or not anything logs it (5% of the stream thread in a JFR profile, docs/benchmarks.md
   * session 4).
   */
  public static final long MAX_TASK_IDLE_MS = StreamsConfig.MAX_TASK_IDLE_MS_DISABLED;

  private StreamsTuning() {}

  /** Adds the scorer's defaults to {@code props} where it has no value of its own. */
  public static void applyDefaults(Properties props) {
    props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL.toMillis());
    props.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, MAX_TASK_IDLE_MS);
  }
}
