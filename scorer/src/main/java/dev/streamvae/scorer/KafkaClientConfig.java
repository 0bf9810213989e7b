package dev.streamvae.scorer;

import io.micronaut.context.env.Environment;
import io.micronaut.core.naming.conventions.StringConvention;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kafka client settings shared by the streams application and the model watcher: every property
 * under {@code kafka.} (e.g. {@code kafka.bootstrap.servers}, {@code kafka.security.protocol},
 * {@code kafka.sasl.jaas.config}) passed through unchanged.
 */
@Singleton
public final class KafkaClientConfig {

  private final Map<String, Object> properties;

  /** Reads {@code kafka.*} from the environment. */
  public KafkaClientConfig(Environment environment) {
    Map<String, Object> raw = environment.getProperties("kafka", StringConvention.RAW);
    Map<String, Object> props = new LinkedHashMap<>();
    // Environment variables reach Micronaut under several spellings (kafka.bootstrap-servers,
    // ...); Kafka's own keys are lower-case and dotted, so only those are passed on.
    raw.forEach((k, v) -> {
      if (v != null && k.matches("[a-z0-9.]+")) {
        props.put(k, v.toString());
      }
    });
    if (!props.containsKey("bootstrap.servers")) {
      throw new IllegalArgumentException(
          "kafka.bootstrap.servers is not set (env KAFKA_BOOTSTRAP_SERVERS)");
    }
    this.properties = Map.copyOf(props);
  }

  /** The client settings, unmodifiable. */
  public Map<String, Object> properties() {
    return properties;
  }
}
