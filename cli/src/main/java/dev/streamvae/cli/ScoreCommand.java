package dev.streamvae.cli;

import dev.streamvae.scorer.ScorerApplication;
import dev.streamvae.trainer.KafkaClientOptions;
import io.micronaut.context.ApplicationContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code anomaly score}: run the scorer service against a cluster until stopped. */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Run the scorer service: score every record of the metrics topic with the newest valid",
        "model from the models topic, hot-reloading new versions. Stop with Ctrl-C.",
        "Every scorer.* setting of application.yml can also be given as -Dscorer.NAME=VALUE."})
public final class ScoreCommand implements Callable<Integer> {

  @Mixin
  KafkaClientOptions kafka = new KafkaClientOptions();

  @Option(names = "--model-name", defaultValue = "default", description = "Model to serve (default: ${DEFAULT-VALUE}).")
  String modelName;

  @Option(names = "--application-id", defaultValue = "streamvae-scorer",
      description = "Kafka Streams application id (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--input-topic", defaultValue = "metrics", description = "Metrics topic (default: ${DEFAULT-VALUE}).")
  String inputTopic;

  @Option(names = "--models-topic", defaultValue = "anomaly-models", description = "Models topic (default: ${DEFAULT-VALUE}).")
  String modelsTopic;

  @Option(names = "--trusted-key", paramLabel = "FILE",
      description = "Ed25519 public key (a .pub file from `anomaly keygen`) whose signed models "
          + "are served; repeatable. Also: env SCORER_MODELS_TRUSTED_KEYS.")
  List<String> trustedKeys = new ArrayList<>();

  @Option(names = "--allow-unsigned",
      description = "Also serve unsigned models (development only).")
  boolean allowUnsigned;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> props = new HashMap<>();
    kafka.clientProperties().forEach((k, v) -> props.put("kafka." + k, v));
    props.put("scorer.model-name", modelName);
    props.put("scorer.application-id", applicationId);
    props.put("scorer.input-topic", inputTopic);
    props.put("scorer.models-topic", modelsTopic);
    props.put("micronaut.server.port", httpPort);
    if (!trustedKeys.isEmpty()) {
      props.put("scorer.models.trusted-keys", trustedKeys);
    }
    if (allowUnsigned) {
      props.put("scorer.models.allow-unsigned", true);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    ApplicationContext context = ScorerApplication.start(props);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      context.close();
      stopped.countDown();
    }, "scorer-shutdown"));
    System.out.println("scorer running; HTTP at " + ScorerApplication.baseUrl(context)
        + " (/health, /model, /models, /prometheus). Ctrl-C stops it.");
    stopped.await();
    return 0;
  }
}
