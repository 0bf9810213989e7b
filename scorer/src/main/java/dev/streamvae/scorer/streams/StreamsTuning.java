package dev.streamvae.scorer.streams;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
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

  /**
   * The stream thread's producer batch size, 128 KiB instead of the client's 16 KiB. Under
   * exactly-once a commit interval's score records (about 330 bytes each) and changelog writes
   * leave as one burst per partition; with 16 KiB batches that burst is several produce requests,
   * and the broker's per-request work, not the bytes, was most of the scorer's process CPU.
   * Measured with {@code anomaly bench --cases pass-through,scorer-default} (docs/benchmarks.md,
   * session 4): the scorer 15,300-15,800 records/s and 118-122 us of process CPU per record at
   * 16 KiB, 21,300 and 90 us at 128 KiB; the pass-through gains alike. Batches fill only as fast as
   * records come; how long a partly filled batch waits is {@link #PRODUCER_LINGER_MS}.
   */
  public static final int PRODUCER_BATCH_BYTES = 128 * 1024;

  /**
   * The stream thread's producer compression: lz4, cheap to compress and to read, and JSON
   * shrinks well. On top of the batch size it measured 22,300-23,100 records/s and 83-86 us per
   * record against 21,300 and 90 us without; alone, with 16 KiB batches, it changed nothing.
   */
  public static final String PRODUCER_COMPRESSION = "lz4";

  /**
   * The stream thread's producer {@code linger.ms}: 5 instead of Kafka Streams' 100. With 128 KiB
   * batches that a partition fills in a few hundred milliseconds at these rates, a score waited
   * in the producer until the linger ran out or a commit flushed it, so the commit interval set
   * the append latency. Measured with {@code anomaly bench}, alternating (docs/benchmarks.md,
   * session 8): the scorer's append latency p50 / p99 at half its drain rate 54 / 247 and 57 / 107
   * ms with 100, 25 / 70 and 24 / 55 ms with 5, at the same drain rate (96k-107k records/s) and
   * CPU per record (8.3-8.9 us).
   */
  public static final int PRODUCER_LINGER_MS = 5;

  private StreamsTuning() {}

  /** Adds the scorer's defaults to {@code props} where it has no value of its own. */
  public static void applyDefaults(Properties props) {
    props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL.toMillis());
    props.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, MAX_TASK_IDLE_MS);
    producerDefault(props, ProducerConfig.BATCH_SIZE_CONFIG, PRODUCER_BATCH_BYTES);
    producerDefault(props, ProducerConfig.COMPRESSION_TYPE_CONFIG, PRODUCER_COMPRESSION);
    producerDefault(props, ProducerConfig.LINGER_MS_CONFIG, PRODUCER_LINGER_MS);
  }

  // Kafka Streams lets "producer.x" win over a plain "x"; a user's plain "x" must still win over
  // this default, so the default goes in only when neither is set.
  private static void producerDefault(Properties props, String name, Object value) {
    if (!props.containsKey(name)) {
      props.putIfAbsent(StreamsConfig.producerPrefix(name), value);
    }
  }
}
