package dev.streamvae.scorer.model;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the models topic on a thread of its own and offers every envelope to the registry.
 * Partitions are assigned directly and read from the beginning (no consumer group, nothing
 * committed), so every scorer instance sees every version and converges on the same one. Waits
 * for the topic if it does not exist yet.
 */
public final class ModelTopicWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ModelTopicWatcher.class);
  /** Fetch limits: the largest envelope (64 MiB, the topic's max.message.bytes) plus slack. */
  private static final int MAX_MODEL_BYTES = 64 * 1024 * 1024 + 1024 * 1024;

  private final Map<String, Object> clientProperties;
  private final String topic;
  private final ModelRegistry registry;
  private final Duration retry;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile boolean running = true;

  /**
   * @param clientProperties Kafka client settings (bootstrap servers, security)
   * @param topic the models topic
   * @param registry where envelopes go
   * @param retry how often to look again for a missing topic
   */
  public ModelTopicWatcher(Map<String, Object> clientProperties, String topic,
      ModelRegistry registry, Duration retry) {
    this.clientProperties = Map.copyOf(clientProperties);
    this.topic = Objects.requireNonNull(topic, "topic");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.retry = Objects.requireNonNull(retry, "retry");
    this.thread = new Thread(this::run, "model-watcher-" + topic);
    this.thread.setDaemon(true);
  }

  /** Starts following the topic. */
  public void start() {
    thread.start();
  }

  /**
   * Waits until every envelope on the topic when the watcher started has been offered, so a
   * (re)started scorer has its model before it scores anything. Returns false on timeout, or
   * at once-ish when the topic does not exist.
   */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_MODEL_BYTES);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, MAX_MODEL_BYTES);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "streamvae-model-watcher");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      consumer = c;
      List<TopicPartition> partitions = awaitPartitions(c);
      if (partitions == null) {
        return;
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      while (running) {
        Map<TopicPartition, Long> endNow = end;
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          registry.offer(r.key(), r.value(), r.topic() + "-" + r.partition() + "@" + r.offset());
        }
        if (registry.takeRewindRequest()) {
          // A policy wants a version whose model was dropped: read the topic again to reload it.
          LOG.info("re-reading models topic '{}' from the beginning", topic);
          c.seekToBeginning(partitions);
          end = c.endOffsets(partitions);
          continue;
        }
        if (caughtUp.getCount() > 0
            && partitions.stream().allMatch(p -> c.position(p) >= endNow.get(p))) {
          LOG.info("model topic '{}' read to its end; active models: {}", topic,
              registry.modelNames().stream().map(n -> n + "=" + registry.active(n)
                  .map(m -> "v" + m.version()).orElse("none")).toList());
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      if (running) {
        throw e;
      }
    } catch (RuntimeException e) {
      if (running) {
        LOG.error("model watcher stopped: {}", e.toString(), e);
      }
    } finally {
      caughtUp.countDown();
    }
  }

  private List<TopicPartition> awaitPartitions(KafkaConsumer<String, byte[]> c) {
    boolean announced = false;
    while (running) {
      List<PartitionInfo> infos = c.listTopics(Duration.ofSeconds(30)).get(topic);
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      }
      if (!announced) {
        LOG.info("models topic '{}' does not exist yet; waiting for a trainer to create it", topic);
        announced = true;
        caughtUp.countDown();
      }
      long until = System.currentTimeMillis() + retry.toMillis();
      while (running && System.currentTimeMillis() < until) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
