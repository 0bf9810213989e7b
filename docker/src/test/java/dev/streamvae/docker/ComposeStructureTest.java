package dev.streamvae.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose files' structure, read as YAML (anchors and merge keys resolved, variables left as
 * written): health, images, mounts, and what each file leaves out.
 */
class ComposeStructureTest {

  private static Map<String, Map<String, Object>> services(String file) throws IOException {
    Map<String, Object> compose;
    try (Reader reader = Files.newBufferedReader(Tools.DOCKER_DIR.resolve(file))) {
      compose = new Yaml().load(reader);
    }
    assertThat(compose).as(file).doesNotContainKey("version"); // Compose v2 warns about it
    return cast(compose.get("services"));
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value) {
    return (T) value;
  }

  private static boolean oneShot(Map<String, Object> service) {
    return "no".equals(service.get("restart"));
  }

  private static boolean hasHealthcheck(Map<String, Object> service) {
    Map<String, Object> healthcheck = cast(service.get("healthcheck"));
    if (healthcheck == null || Boolean.TRUE.equals(healthcheck.get("disable"))) {
      return false;
    }
    List<String> test = cast(healthcheck.get("test"));
    return test != null && !test.isEmpty() && !test.get(0).equals("NONE");
  }

  private static List<String> volumes(Map<String, Object> service) {
    List<String> volumes = cast(service.getOrDefault("volumes", List.of()));
    return volumes;
  }

  private static Optional<String> dockerfile(Map<String, Object> service) {
    Map<String, Object> build = cast(service.get("build"));
    return build == null ? Optional.empty() : Optional.of((String) build.get("dockerfile"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"compose.yml", "compose.external.yml"})
  void everyServiceHasAHealthcheckOrIsAOneShot(String file) throws IOException {
    services(file).forEach((name, service) -> {
      if (oneShot(service)) {
        assertThat(hasHealthcheck(service)).as(file + ": one-shot " + name + " has no health")
            .isFalse();
      } else {
        assertThat(hasHealthcheck(service)).as(file + ": " + name + " healthcheck").isTrue();
        assertThat(service.get("restart")).as(file + ": " + name + " restart")
            .isEqualTo("unless-stopped");
      }
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"compose.yml", "compose.external.yml"})
  void dependenciesWaitForWhatTheirTargetsCanReport(String file) throws IOException {
    Map<String, Map<String, Object>> services = services(file);
    services.forEach((name, service) -> {
      Map<String, Map<String, String>> dependsOn = cast(service.getOrDefault("depends_on",
          Map.of()));
      dependsOn.forEach((target, how) -> {
        Map<String, Object> other = services.get(target);
        assertThat(other).as(file + ": " + name + " depends on unknown " + target).isNotNull();
        switch (how.get("condition")) {
          case "service_healthy" -> assertThat(hasHealthcheck(other))
              .as(file + ": " + name + " waits for " + target + " to be healthy").isTrue();
          case "service_completed_successfully" -> assertThat(oneShot(other))
              .as(file + ": " + name + " waits for one-shot " + target).isTrue();
          case "service_started" -> { }
          default -> throw new AssertionError(file + ": " + name + " -> " + target + ": " + how);
        }
      });
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"compose.yml", "compose.external.yml"})
  void scorerAndTrainersAreBuiltFromTheNonRootImages(String file) throws IOException {
    Map<String, Map<String, Object>> services = services(file);
    assertThat(dockerfile(services.get("scorer"))).contains("docker/scorer.Dockerfile");
    assertThat(dockerfile(services.get("trainer"))).contains("docker/trainer.Dockerfile");
    assertThat(dockerfile(services.get("trainer-scheduled")))
        .contains("docker/trainer.Dockerfile");
    for (String name : List.of("scorer", "trainer", "trainer-scheduled")) {
      assertThat(services.get(name).get("user")).as(file + ": " + name + " user override")
          .isNull();
    }
    assertThat(services.get("trainer").get("profiles")).as("one-off trainer, not in `up`")
        .isEqualTo(List.of("train"));
    assertThat(services.get("trainer-scheduled")).doesNotContainKey("profiles");
    // The trainer's own schedule, with its metrics where the scrape config looks (port 9404).
    List<String> scheduled = cast(services.get("trainer-scheduled").get("command"));
    assertThat(scheduled).contains("--every=${TRAIN_INTERVAL:-6h}",
        "--lookback=${TRAIN_LOOKBACK:-24h}", "--metrics-address=0.0.0.0:9404");
    Map<String, Object> healthcheck = cast(services.get("trainer-scheduled").get("healthcheck"));
    assertThat(healthcheck.get("test")).isEqualTo(List.of("CMD", "bash",
        "/opt/streamvae/bin/http-healthcheck.sh", "9404", "/metrics"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"scorer.Dockerfile", "trainer.Dockerfile"})
  void imagesRunAsANonRootUser(String name) throws IOException {
    Dockerfile dockerfile = Dockerfile.read(Tools.DOCKER_DIR.resolve(name));
    String user = dockerfile.finalUser().orElseThrow(() -> new AssertionError(name + ": no USER"));
    String uid = user.split(":")[0];
    assertThat(uid).as(name + " USER").isNotIn("0", "root", "");
    // A numeric uid lets Kubernetes' runAsNonRoot verify it without reading /etc/passwd.
    assertThat(uid).as(name + " USER").matches("[1-9][0-9]*");
    assertThat(dockerfile.finalStage("ENV")).anySatisfy(env ->
        assertThat(env).contains("OMP_NUM_THREADS=1").contains("MaxRAMPercentage"));
    assertThat(dockerfile.finalStage("VOLUME")).isNotEmpty();
    assertThat(dockerfile.finalStage("EXPOSE")).isNotEmpty();
  }

  @Test
  void scorerImageChecksItsHealth() throws IOException {
    Dockerfile dockerfile = Dockerfile.read(Tools.DOCKER_DIR.resolve("scorer.Dockerfile"));
    assertThat(dockerfile.finalStage("HEALTHCHECK")).singleElement().asString()
        .contains("/opt/streamvae/bin/http-healthcheck.sh");
    assertThat(dockerfile.finalStage("EXPOSE")).containsExactly("8080");
  }

  @ParameterizedTest
  @ValueSource(strings = {"compose.yml", "compose.external.yml"})
  void scriptsTheServicesRunExist(String file) throws IOException {
    services(file).forEach((name, service) -> {
      List<String> words = new ArrayList<>();
      List<String> entrypoint = cast(service.getOrDefault("entrypoint", List.of()));
      words.addAll(entrypoint);
      Map<String, Object> healthcheck = cast(service.getOrDefault("healthcheck", Map.of()));
      List<String> test = cast(healthcheck.getOrDefault("test", List.of()));
      words.addAll(test);
      words.stream().filter(w -> w.startsWith("/opt/streamvae/bin/")).forEach(w ->
          assertThat(Tools.DOCKER_DIR.resolve("bin").resolve(Path.of(w).getFileName()))
              .as(file + ": " + name + " runs " + w).isRegularFile());
      // Bind mounts of files under docker/ must exist (a missing file would be created as an
      // empty directory by the engine).
      volumes(service).stream().filter(v -> v.startsWith("./")).forEach(v ->
          assertThat(Tools.DOCKER_DIR.resolve(v.split(":")[0])).as(file + ": " + name + " " + v)
              .exists());
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"compose.yml", "compose.external.yml"})
  void everyVariableIsDocumentedInTheExampleSettings(String file) throws IOException {
    String example = Files.readString(Tools.DOCKER_DIR.resolve(".env.example"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{(\\w+)")
        .matcher(Files.readString(Tools.DOCKER_DIR.resolve(file)));
    while (m.find()) {
      assertThat(example).as(file + ": ${" + m.group(1) + "} in .env.example")
          .containsPattern("(?m)^" + m.group(1) + "=");
    }
  }

  @Test
  void prometheusMountsTheScrapeConfigAndTheRules() throws IOException {
    Map<String, Object> prometheus = services("compose.yml").get("prometheus");
    List<String> volumes = volumes(prometheus);
    assertThat(volumes).contains(
        "../dashboards/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
        "../dashboards/prometheus/streamvae-rules.yml:/etc/prometheus/streamvae-rules.yml:ro");
    List<String> command = cast(prometheus.get("command"));
    assertThat(command).contains("--config.file=/etc/prometheus/prometheus.yml");
  }

  @Test
  void grafanaMountsProvisioningAndDashboards() throws IOException {
    List<String> volumes = volumes(services("compose.yml").get("grafana"));
    assertThat(volumes).contains(
        "../dashboards/provisioning:/etc/grafana/provisioning:ro",
        "../dashboards/grafana:/var/lib/grafana/dashboards/streamvae:ro");
  }

  @Test
  void prometheusFindsTheScheduledTrainerUnderTheNameItScrapes() throws IOException {
    Map<String, Object> networks = cast(services("compose.yml").get("trainer-scheduled")
        .get("networks"));
    Map<String, Object> network = cast(networks.get("default"));
    assertThat(network.get("aliases")).isEqualTo(List.of("trainer"));
  }

  @Test
  void localStackRunsKafkaAndCreatesTheTopics() throws IOException {
    Map<String, Map<String, Object>> services = services("compose.yml");
    Map<String, Object> kafka = services.get("kafka");
    assertThat((String) kafka.get("image")).startsWith("apache/kafka:");
    Map<String, Object> env = cast(kafka.get("environment"));
    assertThat(env).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
        .containsKeys("CLUSTER_ID", "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_LISTENERS",
            "KAFKA_ADVERTISED_LISTENERS");
    // Room for a 64 MiB model bundle plus its record overhead.
    assertThat(((Number) env.get("KAFKA_MESSAGE_MAX_BYTES")).longValue())
        .isGreaterThan(64L * 1024 * 1024);
    assertThat(oneShot(services.get("kafka-init"))).isTrue();
    String script = Files.readString(Tools.DOCKER_DIR.resolve("kafka/create-topics.sh"));
    for (String topic : List.of("metrics", "anomaly-scores", "anomaly-alerts",
        "anomaly-dead-letters", "anomaly-models")) {
      assertThat(script).contains("create " + topic + " ");
    }
    for (String name : List.of("scorer", "trainer", "trainer-scheduled")) {
      Map<String, Object> serviceEnv = cast(services.get(name).get("environment"));
      assertThat(serviceEnv).as(name).containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka:29092");
    }
  }

  @Test
  void externalStackHasNoBrokerAndTakesItsSettingsFromTheEnvironment() throws IOException {
    Map<String, Map<String, Object>> services = services("compose.external.yml");
    assertThat(services).doesNotContainKeys("kafka", "kafka-init", "prometheus", "grafana");
    services.forEach((name, service) -> {
      assertThat(Objects.toString(service.get("image"), "")).as(name)
          .doesNotContain("kafka").doesNotContain("cp-");
      Map<String, Object> env = cast(service.get("environment"));
      assertThat(String.valueOf(env.get("KAFKA_BOOTSTRAP_SERVERS"))).as(name)
          .startsWith("${KAFKA_BOOTSTRAP_SERVERS:?");
      assertThat(env).as(name).containsKeys("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM",
          "KAFKA_SASL_JAAS_CONFIG", "KAFKA_SSL_TRUSTSTORE_LOCATION",
          "KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE");
      assertThat(volumes(service)).as(name)
          .contains("${STREAMVAE_SECRETS_DIR:-./secrets}:/run/secrets/streamvae:ro");
      assertThat(service).as(name).doesNotContainKey("depends_on");
    });
  }
}
