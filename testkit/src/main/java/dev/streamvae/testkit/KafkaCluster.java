package dev.streamvae.testkit;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * A running Kafka cluster for tests and the demo. Closing it stops the broker and removes its
 * data; closing twice is harmless.
 */
public interface KafkaCluster extends AutoCloseable {

  /** Environment variable or system property that forces the in-process broker when "embedded". */
  String BROKER_SELECTOR = "STREAMVAE_BROKER";

  /** The bootstrap servers, e.g. {@code 127.0.0.1:40123}. */
  String bootstrapServers();

  /** Stops the cluster and deletes its data; idempotent. */
  @Override
  void close();

  /**
   * Starts Kafka in a container when Docker is available and {@value #BROKER_SELECTOR} (system
   * property, then environment) is not {@code embedded}; otherwise starts an in-process KRaft
   * broker. Logs which one it chose.
   */
  static KafkaCluster start() {
    Logger log = LoggerFactory.getLogger(KafkaCluster.class);
    String selector = System.getProperty(BROKER_SELECTOR, System.getenv(BROKER_SELECTOR));
    boolean forceEmbedded = selector != null
        && "embedded".equals(selector.trim().toLowerCase(Locale.ROOT));
    if (!forceEmbedded && dockerAvailable()) {
      log.info("Docker is available: starting Kafka in a container");
      return ContainerKafkaCluster.start();
    }
    log.info("Starting an in-process KRaft broker ({})",
        forceEmbedded ? BROKER_SELECTOR + "=embedded" : "Docker is not available");
    return EmbeddedKafkaCluster.start();
  }

  /** Starts an in-process KRaft broker bound to 127.0.0.1, whatever Docker's state. */
  static KafkaCluster startEmbedded() {
    return EmbeddedKafkaCluster.start();
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      LoggerFactory.getLogger(KafkaCluster.class).debug("Docker probe failed", e);
      return false;
    }
  }
}
