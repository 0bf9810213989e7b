package dev.streamvae.trainer;

import dev.streamvae.commandline.CommandLines;
import dev.streamvae.vae.EpochListener;
import dev.streamvae.vae.SigningKeys;
import dev.streamvae.vae.VaeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
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

  @Option(names = "--hidden", split = ",", defaultValue = "32,16",
      description = "Encoder hidden layer sizes; the decoder mirrors them (default: ${DEFAULT-VALUE}).")
  int[] hidden;

  @Option(names = "--min-steps", defaultValue = "400", paramLabel = "STEPS",
      description = "Train at least this many gradient steps: a short history gets more epochs"
          + " than --epochs (default: ${DEFAULT-VALUE}; 0 = exactly --epochs).")
  int minSteps;

  @Option(names = "--batch-size", defaultValue = "128", description = "Training batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "0.003", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--beta", defaultValue = "1.0", description = "Weight of the KL term (default: ${DEFAULT-VALUE}).")
  double beta;

  @Option(names = "--mc-samples", defaultValue = "1",
      description = "Monte Carlo samples L for the reconstruction log-probability (default: ${DEFAULT-VALUE}).")
  int mcSamples;

  @Option(names = "--threshold-quantile", defaultValue = "0.995",
      description = "Threshold = this quantile of the training windows' anomaly scores (default: ${DEFAULT-VALUE}).")
  double thresholdQuantile;

  @Option(names = "--threshold-method", defaultValue = "QUANTILE", paramLabel = "METHOD",
      description = "QUANTILE, or POT: a generalised Pareto tail fitted above"
          + " --threshold-quantile, threshold where its probability is --threshold-risk"
          + " (default: ${DEFAULT-VALUE}).")
  VaeConfig.ThresholdMethod thresholdMethod;

  @Option(names = "--threshold-risk", defaultValue = "0.001", paramLabel = "PROBABILITY",
      description = "POT: tail probability of a normal window above the threshold"
          + " (default: ${DEFAULT-VALUE}).")
  double thresholdRisk;

  @Option(names = "--target-alert-rate", paramLabel = "RATE",
      description = "Threshold = the (1 - RATE) quantile of the training scores; replaces"
          + " --threshold-quantile.")
  Double targetAlertRate;

  @Option(names = "--centre-windows", negatable = true,
      description = "Centre each window on its own mean, so the model learns shapes, not levels:"
          + " a level shift alerts when it starts, then becomes the new normal (default: on for"
          + " GAUSSIAN, off for BERNOULLI).")
  Boolean centreWindows;

  @Option(names = "--kl-anneal-epochs", defaultValue = "0", paramLabel = "EPOCHS",
      description = "Ramp the KL weight from beta/EPOCHS to beta over this many epochs; 0 = off"
          + " (default: ${DEFAULT-VALUE}).")
  int klAnnealEpochs;

  @Option(names = "--free-bits", defaultValue = "0", paramLabel = "NATS",
      description = "Floor of each latent dimension's KL in the loss; 0 = off"
          + " (default: ${DEFAULT-VALUE}).")
  double freeBits;

  @Option(names = "--validation-fraction", defaultValue = "0", paramLabel = "FRACTION",
      description = "Hold back the last FRACTION of the windows to measure a validation loss"
          + " each epoch (default: ${DEFAULT-VALUE}).")
  double validationFraction;

  @Option(names = "--patience", defaultValue = "0", paramLabel = "EPOCHS",
      description = "Early stopping: stop after this many epochs without a better validation"
          + " loss and keep the best weights; 0 = off (default: ${DEFAULT-VALUE}).")
  int patience;

  @Option(names = "--reconstruction", defaultValue = "GAUSSIAN", paramLabel = "KIND",
      description = "Decoder distribution: GAUSSIAN (any data, standardised) or BERNOULLI (data"
          + " in [0, 1], used as is) (default: ${DEFAULT-VALUE}).")
  VaeConfig.Reconstruction reconstruction;

  @Option(names = "--max-missing", defaultValue = "0", paramLabel = "VALUES",
      description = "Values a window may miss (NaN, or a metric absent from a record) and still"
          + " be trained on and scored: imputed and left out of the likelihood; 0 = such"
          + " windows are skipped (default: ${DEFAULT-VALUE}).")
  int maxMissing;

  @Option(names = "--architecture", defaultValue = "dense", paramLabel = "LAYERS",
      converter = ArchitectureConverter.class,
      description = "Encoder/decoder layers: dense, or conv1d (1-D convolutions over time)"
          + " (default: ${DEFAULT-VALUE}).")
  VaeConfig.ArchitectureKind architecture;

  @Option(names = "--score-target", defaultValue = "last-record", paramLabel = "TARGET",
      converter = ScoreTargetConverter.class,
      description = "What a score is the log-probability of: last-record (the scored record's"
          + " values, with the window as context) or window (all of the window's values)"
          + " (default: ${DEFAULT-VALUE}).")
  VaeConfig.ScoreTarget scoreTarget;

  @Option(names = "--condition", defaultValue = "none", paramLabel = "CONDITION",
      converter = ConditioningConverter.class,
      description = "Conditional VAE: none, or time-of-week (time of day and day of week of each"
          + " window's last record, fed to encoder and decoder) (default: ${DEFAULT-VALUE}).")
  VaeConfig.Conditioning condition;

  @Option(names = "--condition-zone", defaultValue = "UTC", paramLabel = "ZONE",
      converter = ZoneConverter.class,
      description = "Time zone whose clock --condition reads, e.g. Europe/Berlin"
          + " (default: ${DEFAULT-VALUE}).")
  java.time.ZoneId conditionZone;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--every", paramLabel = "DURATION",
      description = "Keep running and retrain on this schedule (e.g. 1h, 30m, PT6H); each run "
          + "reads the last --lookback of the topic.")
  String every;

  @Option(names = "--lookback", paramLabel = "DURATION", defaultValue = "24h",
      description = "With --every: how much recent history each run reads (default: ${DEFAULT-VALUE}).")
  String lookback;

  @Option(names = "--fine-tune-epochs", defaultValue = "0", paramLabel = "EPOCHS",
      description = "Start from the weights of the version scorers serve (the champion on the"
          + " models topic) and train this many epochs instead of --epochs: a cheap retraining"
          + " that follows drift (with --every, every run after the first). Trains from fresh"
          + " weights when there is no served version or its layers differ; 0: always from fresh"
          + " weights (default: ${DEFAULT-VALUE}).")
  int fineTuneEpochs;

  @Option(names = "--fine-tune-learning-rate", paramLabel = "RATE",
      description = "Adam learning rate of a fine-tuning (default: a tenth of --learning-rate:"
          + " the optimiser starts afresh, and at the full rate its first steps knock a tightly"
          + " fitted model off its fit).")
  Double fineTuneLearningRate;

  @Option(names = "--signing-key", paramLabel = "FILE",
      defaultValue = "${env:STREAMVAE_SIGNING_KEY}",
      description = "Sign the model with this Ed25519 key file (from `anomaly keygen`), or the "
          + "key's PEM text; default: env STREAMVAE_SIGNING_KEY. Unsigned models are rejected by "
          + "scorers unless they set scorer.models.allow-unsigned=true.")
  String signingKey;

  @Option(names = "--challenger-holdout", paramLabel = "F",
      description = "Champion/challenger: hold out the newest F of the history's time span, and "
          + "publish the new model as a held candidate unless it scores that range no worse than "
          + "the version scorers serve (default: 0.2 with --every, off otherwise; 0 turns it off).")
  Double challengerHoldout;

  @Option(names = "--promotion-tolerance", defaultValue = "0.0", paramLabel = "R",
      description = "Champion/challenger: promote if the new mean anomaly score is at most the "
          + "champion's plus R times its magnitude (default: ${DEFAULT-VALUE}).")
  double promotionTolerance;

  @Option(names = "--metrics-address", paramLabel = "HOST:PORT",
      description = "Serve Prometheus metrics of training progress at http://HOST:PORT/metrics.")
  String metricsAddress;

  @Override
  public Integer call() throws Exception {
    PrintStream stdout = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
        true);
    Duration schedule = every == null ? null : parseDuration("--every", every);
    Duration recent = parseDuration("--lookback", lookback);
    if (schedule != null && (from != null || to != null || !csvFiles.isEmpty())) {
      throw new IllegalArgumentException(
          "--every reads the last --lookback of the topic; it cannot be combined with --from, --to or --csv");
    }
    try (TrainerMetrics metrics = new TrainerMetrics(modelName, Clock.systemUTC())) {
      if (metricsAddress != null) {
        metrics.serve(parseAddress(metricsAddress));
        stdout.println("metrics at http://" + metricsAddress + "/metrics");
      }
      EpochListener progress = new ProgressLine(stdout);
      while (true) {
        long started = System.nanoTime();
        metrics.runStarted(epochs);
        try {
          TrainingRun.Result result = new TrainingRun(Clock.systemUTC(), stdout)
              .run(request(schedule, recent), s -> {
                progress.onEpoch(s);
                metrics.onEpoch(s);
              });
          metrics.runSucceeded(result.bundle().manifest().version(),
              Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException | RuntimeException e) {
          metrics.runFailed(Duration.ofNanos(System.nanoTime() - started));
          if (schedule == null) {
            throw e;
          }
          stdout.println("error: " + CommandLines.describe(e) + " (next run in " + every + ")");
        }
        if (schedule == null) {
          return 0;
        }
        Thread.sleep(schedule.toMillis());
      }
    }
  }

  private TrainingRequest request(Duration schedule, Duration recent) throws IOException {
    Instant end = schedule == null && to != null ? parseInstant("--to", to) : Instant.now();
    Instant start = schedule != null ? end.minus(recent)
        : from == null ? Instant.EPOCH : parseInstant("--from", from);
    HistorySource source = csvFiles.isEmpty()
        ? new KafkaHistorySource(kafka.clientProperties(), topic, start, end)
        : new CsvHistorySource(csvFiles);
    VaeConfig.Builder builder = VaeConfig.builder()
        .windowLength(window)
        .featureCount(Math.max(1, features.size()))
        .hiddenSizes(hidden)
        .latentDim(latent)
        .learningRate(learningRate)
        .epochs(epochs)
        .minSteps(minSteps)
        .batchSize(batchSize)
        .beta(beta)
        .mcSamples(mcSamples)
        .seed(seed)
        .thresholdQuantile(thresholdQuantile)
        .thresholdMethod(thresholdMethod)
        .thresholdRisk(thresholdRisk)
        .klAnnealEpochs(klAnnealEpochs)
        .freeBits(freeBits)
        .validationFraction(validationFraction)
        .patience(patience)
        .maxMissing(maxMissing)
        .reconstruction(reconstruction)
        .architecture(architecture)
        .scoreTarget(scoreTarget)
        .conditioning(condition)
        .conditionZone(conditionZone);
    if (targetAlertRate != null) {
      builder.targetAlertRate(targetAlertRate);
    }
    if (centreWindows != null) {
      builder.centreWindows(centreWindows);
    }
    VaeConfig vae = builder.build();
    double fraction = challengerHoldout != null ? challengerHoldout
        : schedule != null ? 0.2 : 0;
    return new TrainingRequest(source, modelName, features, stride, vae,
        out == null || out.isBlank() ? null : out,
        noPublish ? null
            : new TrainingRequest.PublishTarget(kafka.clientProperties(), modelsTopic),
        signingKeys(),
        fraction > 0 ? new TrainingRequest.ChampionChallenger(fraction, promotionTolerance)
            : null, fineTuneEpochs, fineTuneLearningRate == null ? 0 : fineTuneLearningRate);
  }

  private java.security.KeyPair signingKeys() throws IOException {
    if (signingKey == null || signingKey.isBlank()) {
      return null;
    }
    try {
      return SigningKeys.readPair(SigningKeys.textOf(signingKey));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--signing-key: " + e.getMessage());
    }
  }

  /** Reads {@code 90s}, {@code 15m}, {@code 6h}, {@code 7d} or ISO-8601 ({@code PT6H}). */
  static Duration parseDuration(String option, String text) {
    try {
      if (text.matches("\\d+[smhd]")) {
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      Duration d = Duration.parse(text);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(option + " must be positive");
      }
      return d;
    } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException(option + " '" + text
          + "' is not a duration such as 30m, 6h, 7d or PT6H");
    }
  }

  private static InetSocketAddress parseAddress(String text) {
    int colon = text.lastIndexOf(':');
    try {
      if (colon < 0) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(text.substring(0, colon),
          Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--metrics-address '" + text
          + "' is not HOST:PORT such as 0.0.0.0:9404");
    }
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

  /**
   * Reads an option value with a library parser, whose {@link IllegalArgumentException} message
   * (it names the value and the choices) becomes picocli's one-line error.
   */
  abstract static class ParsingConverter<T> implements picocli.CommandLine.ITypeConverter<T> {
    private final java.util.function.Function<String, T> parse;

    ParsingConverter(java.util.function.Function<String, T> parse) {
      this.parse = parse;
    }

    @Override
    public T convert(String value) {
      try {
        return parse.apply(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** Reads {@code dense} or {@code conv1d}, as {@link VaeConfig.ArchitectureKind#parse}. */
  static final class ArchitectureConverter extends ParsingConverter<VaeConfig.ArchitectureKind> {
    ArchitectureConverter() {
      super(VaeConfig.ArchitectureKind::parse);
    }
  }

  /** Reads {@code window} or {@code last-record}, as {@link VaeConfig.ScoreTarget#parse}. */
  static final class ScoreTargetConverter extends ParsingConverter<VaeConfig.ScoreTarget> {
    ScoreTargetConverter() {
      super(VaeConfig.ScoreTarget::parse);
    }
  }

  /** Reads {@code none} or {@code time-of-week}, as {@link VaeConfig.Conditioning#parse}. */
  static final class ConditioningConverter extends ParsingConverter<VaeConfig.Conditioning> {
    ConditioningConverter() {
      super(VaeConfig.Conditioning::parse);
    }
  }

  /** Reads a time zone id ({@code UTC}, {@code Europe/Berlin}, {@code +02:00}). */
  static final class ZoneConverter implements picocli.CommandLine.ITypeConverter<java.time.ZoneId> {
    @Override
    public java.time.ZoneId convert(String value) {
      try {
        return java.time.ZoneId.of(value);
      } catch (java.time.DateTimeException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + value
            + "' is not a time zone (e.g. UTC, Europe/Berlin, +02:00)");
      }
    }
  }
}
