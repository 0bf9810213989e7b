package dev.streamvae.trainer;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Kafka connection options shared by the commands: bootstrap servers plus any client setting
 * (security protocol, SASL, TLS) from a properties file or repeated {@code --kafka-property}.
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

  /** The merged client settings: file, then properties, then bootstrap servers. */
  public Map<String, Object> clientProperties() throws IOException {
    Map<String, Object> merged = new LinkedHashMap<>();
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

  /** The bootstrap servers given. */
  public String bootstrapServers() {
    return bootstrapServers;
  }
}
