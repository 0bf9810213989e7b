package dev.streamvae.trainer;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Option;

/**
 * Kafka connection options shared by the commands: bootstrap servers plus any client setting
 * (security protocol, SASL, TLS) from {@code KAFKA_<KEY>} environment variables, a properties
 * file, or repeated {@code --kafka-property}, each winning over the one before.
 */
public final class KafkaClientOptions {

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
      defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
      description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "A Java properties file of Kafka client settings (e.g. security.protocol).")
  Path configFile;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "A Kafka client setting; repeatable; wins over --kafka-config.")
  Map<String, String> properties = new LinkedHashMap<>();

  /**
   * The merged client settings: environment, then file, then properties, then bootstrap
   * servers.
   */
  public Map<String, Object> clientProperties() throws IOException {
    Map<String, Object> merged = new LinkedHashMap<>(fromEnvironment(System.getenv()));
    if (configFile != null) {
      Properties fromFile = new Properties();
      try (Reader reader = Files.newBufferedReader(configFile)) {
        fromFile.load(reader);
      }
      fromFile.forEach((k, v) -> merged.put(k.toString(), v));
    }
    merged.putAll(properties);
    merged.put("bootstrap.servers", bootstrapServers);
    return merged;
  }

  /**
   * Client settings named by {@code KAFKA_<KEY>} variables, as the scorer reads them:
   * {@code KAFKA_SECURITY_PROTOCOL} is {@code security.protocol}, {@code KAFKA_SASL_JAAS_CONFIG}
   * is {@code sasl.jaas.config}. Only names Kafka's producer, consumer or admin client know are
   * taken (so {@code KAFKA_HEAP_OPTS} and the like are not), and empty values are dropped.
   */
  static Map<String, Object> fromEnvironment(Map<String, String> environment) {
    Set<String> known = new HashSet<>(ProducerConfig.configNames());
    known.addAll(ConsumerConfig.configNames());
    known.addAll(AdminClientConfig.configNames());
    Map<String, Object> settings = new TreeMap<>();
    environment.forEach((name, value) -> {
      if (name.startsWith("KAFKA_") && value != null && !value.isEmpty()) {
        String key = name.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
        if (known.contains(key)) {
          settings.put(key, value);
        }
      }
    });
    return settings;
  }

  /** The bootstrap servers given. */
  public String bootstrapServers() {
    return bootstrapServers;
  }
}
