package dev.streamvae.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code anomaly demo}: everything in one process on an embedded broker. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Run the whole pipeline on an embedded Kafka broker: synthetic series with injected",
        "anomalies, the scorer, and the trainer publishing version 1 and later version 2 while",
        "records flow. Prints live counts and alerts, then a summary of every record's fate."})
public final class DemoCommand implements Callable<Integer> {

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "120",
      description = "Seconds of live data; 0 runs until interrupted (default: ${DEFAULT-VALUE}).")
  long durationSeconds;

  @Option(names = "--summary", paramLabel = "FILE", description = "Write the JSON summary here.")
  Path summary;

  @Option(names = "--series", defaultValue = "8", description = "Synthetic series (default: ${DEFAULT-VALUE}).")
  int series;

  @Option(names = "--step-ms", defaultValue = "50",
      description = "Milliseconds between points of a series (default: ${DEFAULT-VALUE}).")
  long stepMillis;

  @Option(names = "--history", defaultValue = "1200",
      description = "Back-dated points per series to train version 1 on (default: ${DEFAULT-VALUE}).")
  int history;

  @Option(names = "--anomaly-rate", defaultValue = "0.004",
      description = "Chance a point starts an injected anomaly (default: ${DEFAULT-VALUE}).")
  double anomalyRate;

  @Option(names = "--retrain-after", paramLabel = "SECONDS",
      description = "When to publish version 2 (default: half the duration, or 60 s).")
  Long retrainAfterSeconds;

  @Option(names = "--epochs", defaultValue = "15", description = "Training epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  // The synthetic history is not clean: with the default anomaly rate some 5-10% of training
  // windows contain an injected point, so the 0.995 quantile would sit among the anomalies.
  @Option(names = "--threshold-quantile", defaultValue = "0.98",
      description = "Threshold = this quantile of training scores (default: ${DEFAULT-VALUE}).")
  double thresholdQuantile;

  @Option(names = "--http-port", defaultValue = "0",
      description = "Scorer HTTP port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of data and models (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--quiet", description = "Print only events and the summary.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    if (durationSeconds < 0) {
      throw new IllegalArgumentException("--duration must not be negative");
    }
    Duration duration = Duration.ofSeconds(durationSeconds);
    Duration retrain = retrainAfterSeconds != null ? Duration.ofSeconds(retrainAfterSeconds)
        : duration.isZero() ? Duration.ofSeconds(60) : duration.dividedBy(2);
    DemoOptions options = new DemoOptions(duration, summary, series, Duration.ofMillis(stepMillis),
        history, anomalyRate, retrain, epochs, thresholdQuantile, httpPort, seed, quiet);
    DemoRun.Result result = new DemoRun(options, System.out).run();
    if (!result.balanced()) {
      System.err.println("error: not every record was accounted for (see the summary)");
      return 1;
    }
    return 0;
  }
}
