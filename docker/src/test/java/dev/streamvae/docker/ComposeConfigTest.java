package dev.streamvae.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both compose files pass docker-compose's own validation ({@code config -q}, no daemon needed):
 * Debian's docker-compose 1.29, or Compose v2 ({@code docker compose}) where that is what exists.
 */
class ComposeConfigTest {

  private static List<String> compose;

  /** Per test, so that a missing tool shows as each test skipped, with the reason. */
  @BeforeEach
  void findCompose() throws Exception {
    if (compose != null) {
      return;
    }
    Optional<Path> v1 = Tools.find("docker-compose");
    if (v1.isPresent()) {
      compose = List.of(v1.get().toString());
      return;
    }
    // A docker CLI may lack the compose plugin: use it only if `docker compose` answers.
    Optional<Path> docker = Tools.find("docker");
    if (docker.isPresent()
        && Tools.run(List.of(docker.get().toString(), "compose", "version"), Map.of())
            .exitCode() == 0) {
      compose = List.of(docker.get().toString(), "compose");
      return;
    }
    Tools.require("docker-compose",
        "apt-get install -y docker-compose, or Docker's compose plugin");
  }

  private static Tools.Result config(String file, Map<String, String> env) throws Exception {
    return config(file, env, List.of());
  }

  private static Tools.Result config(String file, Map<String, String> env, List<String> options)
      throws Exception {
    List<String> command = new ArrayList<>(compose);
    command.addAll(List.of("--project-directory", Tools.DOCKER_DIR.toString(), "-f", file,
        "--profile", "train"));
    command.addAll(options);
    command.addAll(List.of("config", "-q"));
    // Settings a developer's shell may hold must not decide the outcome.
    return Tools.run(command, env, "KAFKA_BOOTSTRAP_SERVERS", "COMPOSE_FILE",
        "COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME");
  }

  @Test
  void localStackIsValid() throws Exception {
    Tools.Result result = config("compose.yml", Map.of());
    assertThat(result.exitCode()).as(result.both()).isZero();
  }

  @Test
  void externalStackIsValidWithBrokersAndSecuritySettings() throws Exception {
    Tools.Result result = config("compose.external.yml", Map.of(
        "KAFKA_BOOTSTRAP_SERVERS", "broker-1.example.com:9093,broker-2.example.com:9093",
        "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
        "KAFKA_SASL_JAAS_CONFIG_FILE", "/run/secrets/streamvae/sasl-jaas.conf",
        "KAFKA_SSL_TRUSTSTORE_LOCATION", "/run/secrets/streamvae/truststore.p12",
        "KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE", "/run/secrets/streamvae/truststore.password"));
    assertThat(result.exitCode()).as(result.both()).isZero();
  }

  @Test
  void bothStacksAreValidWithTheExampleSettings() throws Exception {
    List<String> envFile = List.of("--env-file", ".env.example");
    Tools.Result local = config("compose.yml", Map.of(), envFile);
    assertThat(local.exitCode()).as(local.both()).isZero();
    Tools.Result external = config("compose.external.yml",
        Map.of("KAFKA_BOOTSTRAP_SERVERS", "broker:9092"), envFile);
    assertThat(external.exitCode()).as(external.both()).isZero();
  }

  @Test
  void externalStackRefusesToStartWithoutBrokers() throws Exception {
    Tools.Result result = config("compose.external.yml", Map.of());
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.both()).contains("KAFKA_BOOTSTRAP_SERVERS");
  }
}
