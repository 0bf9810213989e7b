package dev.streamvae.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KafkaClientOptionsTest {

  @Test
  void kafkaEnvironmentVariablesBecomeClientSettingsWhenKafkaKnowsThem() {
    Map<String, Object> settings = KafkaClientOptions.fromEnvironment(Map.of(
        "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
        "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule"
            + " required username=\"u\" password=\"p\";",
        "KAFKA_SSL_TRUSTSTORE_LOCATION", "/run/secrets/truststore.p12",
        "KAFKA_SSL_KEYSTORE_TYPE", "",
        "KAFKA_HEAP_OPTS", "-Xmx1g",
        "KAFKA_SASL_JAAS_CONFIG_FILE", "/run/secrets/jaas",
        "PATH", "/usr/bin"));
    assertThat(settings).containsOnlyKeys("security.protocol", "sasl.mechanism",
        "sasl.jaas.config", "ssl.truststore.location");
    assertThat(settings.get("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
  }

  @Test
  void theFileAndPropertiesWinOverTheEnvironmentAndBootstrapOverAll(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "security.protocol=SSL\nssl.truststore.type=PKCS12\n"
        + "bootstrap.servers=ignored:1\n");
    KafkaClientOptions options = new KafkaClientOptions();
    new CommandLine(options).parseArgs("--bootstrap-servers", "b:9093", "--kafka-config",
        file.toString(), "--kafka-property", "ssl.truststore.type=JKS");
    Map<String, Object> merged = options.clientProperties();
    assertThat(merged).containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.type", "JKS")
        .containsEntry("bootstrap.servers", "b:9093");
  }
}
