package dev.streamvae.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images' shell scripts, run with bash on this machine: the Kafka settings the trainer's
 * entry point writes read back unchanged with {@link Properties}, secrets stay out of the output,
 * and the healthcheck tells good from bad.
 */
class ScriptsTest {

  private static final Path BIN = Tools.DOCKER_DIR.resolve("bin");
  private static Path bash;

  @TempDir
  Path tmp;

  @BeforeEach
  void findBash() {
    bash = Tools.require("bash", "apt-get install -y bash", "bash");
  }

  private Tools.Result bash(String script, Map<String, String> env) throws Exception {
    return Tools.run(List.of(bash.toString(), "-c", script), env);
  }

  @Test
  void trainerKafkaSettingsRoundTripThroughThePropertiesFile() throws Exception {
    String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required "
        + "username=\"svc-streamvae\" password=\"p\\a$s=w:o#rd!\";";
    Path secret = tmp.resolve("truststore.password");
    Files.writeString(secret, "tRuSt-s3cret\n");
    Path out = tmp.resolve("client.properties");
    Tools.Result result = bash("source " + BIN.resolve("entrypoint.sh") + " && "
        + "load_kafka_environment && write_kafka_properties " + out, Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", "broker:9093",
            "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
            "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
            "KAFKA_SASL_JAAS_CONFIG", jaas,
            "KAFKA_SSL_TRUSTSTORE_LOCATION", "/run/secrets/streamvae/truststore.p12",
            "KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE", secret.toString(),
            "KAFKA_SSL_KEYSTORE_LOCATION", ""));
    assertThat(result.exitCode()).as(result.both()).isZero();
    assertThat(result.stdout()).isEqualTo("sasl.jaas.config sasl.mechanism security.protocol "
        + "ssl.truststore.location ssl.truststore.password");
    assertThat(result.both()).doesNotContain("tRuSt-s3cret").doesNotContain("o#rd");

    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(out)) {
      properties.load(reader);
    }
    assertThat(properties).containsOnly(
        Map.entry("security.protocol", "SASL_SSL"),
        Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
        Map.entry("sasl.jaas.config", jaas),
        Map.entry("ssl.truststore.location", "/run/secrets/streamvae/truststore.p12"),
        Map.entry("ssl.truststore.password", "tRuSt-s3cret"));
    assertThat(Files.getPosixFilePermissions(out))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void secretFilesBecomeVariablesForTheScorerAndTheFileVariablesGo() throws Exception {
    Path secret = tmp.resolve("jaas.conf");
    Files.writeString(secret, "module required;\n");
    Tools.Result result = bash("source " + BIN.resolve("entrypoint.sh") + " && "
        + "load_kafka_environment && env | grep '^KAFKA_' | sort", Map.of(
            "KAFKA_SASL_JAAS_CONFIG_FILE", secret.toString(),
            "KAFKA_SASL_MECHANISM", ""));
    assertThat(result.exitCode()).as(result.both()).isZero();
    assertThat(result.stdout()).isEqualTo("KAFKA_SASL_JAAS_CONFIG=module required;\n");
  }

  @Test
  void aSecretFileThatCannotBeReadStopsTheStart() throws Exception {
    Tools.Result result = bash("source " + BIN.resolve("entrypoint.sh") + " && "
        + "load_kafka_environment", Map.of(
            "KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE", tmp.resolve("missing").toString()));
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE").contains("missing");
  }

  @Test
  void httpHealthcheckPassesOn200AndFailsOnOtherAnswersOrNoServer() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        0), 0);
    int[] status = {200};
    server.createContext("/health", exchange -> {
      byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status[0], body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.createContext("/metrics", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    String port = String.valueOf(server.getAddress().getPort());
    String check = "bash " + BIN.resolve("http-healthcheck.sh");
    try {
      // The scorer's form: port from SCORER_HTTP_PORT, path /health.
      assertThat(bash(check, Map.of("SCORER_HTTP_PORT", port)).exitCode()).isZero();
      // The scheduled trainer's form: port and path as arguments.
      assertThat(bash(check + " " + port + " /metrics", Map.of()).exitCode()).isZero();
      assertThat(bash(check + " " + port + " /nothing-here", Map.of()).exitCode()).isEqualTo(1);
      status[0] = 503;
      Tools.Result down = bash(check, Map.of("SCORER_HTTP_PORT", port));
      assertThat(down.exitCode()).isEqualTo(1);
      assertThat(down.stdout()).contains("503");
    } finally {
      server.stop(0);
    }
    assertThat(bash(check, Map.of("SCORER_HTTP_PORT", port)).exitCode()).isEqualTo(1);
  }
}
