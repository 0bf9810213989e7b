package dev.streamvae.scorer.model;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Changes a model name's policy by writing a policy record to the models topic, then waits until
 * this instance's registry has read it back. Every instance applies the same record, so they
 * agree; nothing is changed locally first, so what the topic says is what serves.
 */
public final class ModelControl implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, Object> clientProperties;
  private final String topic;
  private final ModelRegistry registry;
  private final Clock clock;
  private KafkaProducer<String, byte[]> producer;

  /**
   * @param clientProperties Kafka client settings
   * @param topic the models topic
   * @param registry the registry that must see the change
   * @param clock stamps the policy
   */
  public ModelControl(Map<String, Object> clientProperties, String topic, ModelRegistry registry,
      Clock clock) {
    this.clientProperties = Map.copyOf(clientProperties);
    this.topic = Objects.requireNonNull(topic, "topic");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Applies {@code change} to the name's policy in force, writes the result, and waits until the
   * registry applied it.
   *
   * @return the policy now in force
   * @throws IllegalStateException when the write fails or is not read back in time
   */
  public synchronized ModelPolicy change(String modelName,
      UnaryOperator<ModelPolicy> change) {
    ModelPolicy next = change.apply(registry.policy(modelName));
    try {
      producer().send(new ProducerRecord<>(topic, next.key(), next.encode()))
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("writing the policy failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("writing the policy timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!registry.policy(modelName).equals(next)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the policy was written but not read back within "
            + TIMEOUT.toSeconds() + " s; is the model watcher running?");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    return next;
  }

  /** Now, in epoch milliseconds, for policy stamps. */
  public long now() {
    return clock.millis();
  }

  private KafkaProducer<String, byte[]> producer() {
    if (producer == null) {
      Map<String, Object> props = new HashMap<>(clientProperties);
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "streamvae-model-control");
      producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
