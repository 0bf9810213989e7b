package dev.streamvae.testkit;

import java.util.concurrent.atomic.AtomicBoolean;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Kafka (KRaft, single node) in a Testcontainers container. Selected by
 * {@link KafkaCluster#start()} only where Docker is available.
 */
public final class ContainerKafkaCluster implements KafkaCluster {

  /** The broker image; the newest apache/kafka image whose protocol matches the 4.x clients. */
  public static final String DEFAULT_IMAGE = "apache/kafka:4.1.1";

  private final KafkaContainer container;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ContainerKafkaCluster(KafkaContainer container) {
    this.container = container;
  }

  /** Starts a container from {@link #DEFAULT_IMAGE}. */
  public static ContainerKafkaCluster start() {
    return start(DEFAULT_IMAGE);
  }

  /** Starts a container from the given image; throws when Docker is not available. */
  @SuppressWarnings("resource") // closed by close()
  public static ContainerKafkaCluster start(String image) {
    KafkaContainer container = new KafkaContainer(image)
        .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
        .withEnv("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(EmbeddedKafkaCluster.MAX_MESSAGE_BYTES))
        .withEnv("KAFKA_SOCKET_REQUEST_MAX_BYTES",
            String.valueOf(EmbeddedKafkaCluster.MAX_REQUEST_BYTES))
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1");
    try {
      container.start();
    } catch (RuntimeException e) {
      container.close();
      throw e;
    }
    return new ContainerKafkaCluster(container);
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      container.close();
    }
  }

  @Override
  public String toString() {
    return "ContainerKafkaCluster[" + container.getDockerImageName() + "]";
  }
}
