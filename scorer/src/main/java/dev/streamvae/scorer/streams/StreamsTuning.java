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

  private StreamsTuning() {}

  /** Adds the scorer's defaults to {@code props} where it has no value of its own. */
  public static void applyDefaults(Properties props) {
    props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL.toMillis());
  }
}
