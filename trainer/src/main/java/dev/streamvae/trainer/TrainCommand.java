package dev.streamvae.trainer;

import dev.streamvae.vae.VaeConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code anomaly train}: fit a model on history and publish it. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Fit a VAE on historical windows of metrics and publish it, versioned, to the models topic.",
        "History is a time range of a Kafka topic (default) or CSV files (--csv)."})
public final class TrainCommand implements Callable<Integer> {

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  KafkaClientOptions kafka = new KafkaClientOptions();

  @Option(names = "--topic", defaultValue = "metrics",
      description = "Metrics topic to read history from (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--from", paramLabel = "INSTANT",
      description = "Start of the history, ISO-8601 (e.g. 2026-11-01T00:00:00Z); default: the beginning.")
  String from;

  @Option(names = "--to", paramLabel = "INSTANT",
      description = "End of the history (exclusive), ISO-8601; default: now.")
  String to;

  @Option(names = "--csv", paramLabel = "FILE", arity = "1..*",
      description = "Read history from CSV files instead of Kafka (columns: timestamp[,series],metric...).")
  List<Path> csvFiles = new ArrayList<>();

  @Option(names = "--model-name", defaultValue = "default",
      description = "Model name, the models topic key (default: ${DEFAULT-VALUE}).")
  String modelName;

  @Option(names = "--models-topic", defaultValue = "anomaly-models",
      description = "Compacted topic of model versions (default: ${DEFAULT-VALUE}).")
  String modelsTopic;

  @Option(names = "--no-publish", description = "Only write the bundle file.")
  boolean noPublish;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "models/{name}-v{version}.svae",
      description = "Also write the model bundle here; {name} and {version} are replaced "
          + "(default: ${DEFAULT-VALUE}).")
  String out;

  @Option(names = "--features", split = ",", paramLabel = "NAME",
      description = "Metrics to model, in order (default: all metrics common to the history).")
  List<String> features = new ArrayList<>();

  @Option(names = "--window", defaultValue = "32", description = "Window length in records (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--stride", defaultValue = "1", description = "Step between training windows (default: ${DEFAULT-VALUE}).")
  int stride;

  @Option(names = "--epochs", defaultValue = "30", description = "Training epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--latent", defaultValue = "4", description = "Latent dimensions (default: ${DEFAULT-VALUE}).")
  int latent;

  @Option(names = "--hidden", split = ",", defaultValue = "64,32",
      description = "Encoder hidden layer sizes; the decoder mirrors them (default: ${DEFAULT-VALUE}).")
  int[] hidden;

  @Option(names = "--batch-size", defaultValue = "128", description = "Training batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--beta", defaultValue = "1.0", description = "Weight of the KL term (default: ${DEFAULT-VALUE}).")
  double beta;

  @Option(names = "--mc-samples", defaultValue = "8",
      description = "Monte Carlo samples L for the reconstruction log-probability (default: ${DEFAULT-VALUE}).")
  int mcSamples;

  @Option(names = "--threshold-quantile", defaultValue = "0.995",
      description = "Threshold = this quantile of the training windows' anomaly scores (default: ${DEFAULT-VALUE}).")
  double thresholdQuantile;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintStream stdout = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
        true);
    HistorySource source = csvFiles.isEmpty()
        ? new KafkaHistorySource(kafka.clientProperties(), topic,
            from == null ? Instant.EPOCH : parseInstant("--from", from),
            to == null ? Instant.now() : parseInstant("--to", to))
        : new CsvHistorySource(csvFiles);
    VaeConfig vae = VaeConfig.builder()
        .windowLength(window)
        .featureCount(Math.max(1, features.size()))
        .hiddenSizes(hidden)
        .latentDim(latent)
        .learningRate(learningRate)
        .epochs(epochs)
        .batchSize(batchSize)
        .beta(beta)
        .mcSamples(mcSamples)
        .seed(seed)
        .thresholdQuantile(thresholdQuantile)
        .build();
    TrainingRequest request = new TrainingRequest(source, modelName, features, stride, vae,
        out == null || out.isBlank() ? null : out,
        noPublish ? null
            : new TrainingRequest.PublishTarget(kafka.clientProperties(), modelsTopic));
    new TrainingRun(Clock.systemUTC(), stdout).run(request, new ProgressLine(stdout));
    return 0;
  }

  private static Instant parseInstant(String option, String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " '" + text
          + "' is not an ISO-8601 instant such as 2026-11-01T00:00:00Z");
    }
  }

  /** Runs the command on its own. */
  public static void main(String[] args) {
    System.exit(CommandLines.configure(new CommandLine(new TrainCommand())).execute(args));
  }
}
