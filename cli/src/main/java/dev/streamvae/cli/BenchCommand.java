package dev.streamvae.cli;

import dev.streamvae.vae.VaeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code anomaly bench}: the scorer against a pass-through topology, side by side. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Measure, on an embedded broker and the same pre-produced records, partitions and",
        "processing guarantee: a pass-through Kafka Streams topology, the scorer at its default",
        "settings, and the scorer with other Monte Carlo sample counts. For each: records/s",
        "draining the backlog, end-to-end latency at half that rate, CPU per million records and",
        "heap; the summary holds each scorer case's ratio to the pass-through."})
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--records", defaultValue = "1000000",
      description = "Records in each scorer case's pre-produced backlog; the pass-through, "
          + "about five times faster, drains five times as many (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(names = "--summary", paramLabel = "FILE", description = "Write the JSON summary here.")
  Path summary;

  @Option(names = "--partitions", defaultValue = "6",
      description = "Partitions of the input topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--series", defaultValue = "100",
      description = "Distinct series keys (default: ${DEFAULT-VALUE}).")
  int series;

  @Option(names = "--guarantee", defaultValue = "exactly_once_v2",
      description = "Processing guarantee, exactly_once_v2 or at_least_once "
          + "(default: ${DEFAULT-VALUE}).")
  String guarantee;

  @Option(names = "--mc-samples", split = ",", defaultValue = "1,8,32",
      description = "Monte Carlo sample counts L to run the scorer with, besides its default "
          + "(default: ${DEFAULT-VALUE}).")
  List<Integer> mcSamples;

  @Option(names = "--latency-seconds", defaultValue = "5",
      description = "Seconds of records at the fixed offered rate per case "
          + "(default: ${DEFAULT-VALUE}).")
  int latencySeconds;

  @Option(names = "--epochs", defaultValue = "2",
      description = "Training epochs of the benchmark's models (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--cases", split = ",",
      description = "Run only these cases (pass-through, scorer-default, scorer-L<n>); "
          + "default: all.")
  List<String> cases;

  @Option(names = "--commit-interval-ms",
      description = "Kafka Streams commit interval for every case (default: the scorer's, "
          + "StreamsTuning.COMMIT_INTERVAL).")
  Long commitIntervalMillis;

  @Option(names = "--max-batch-delay-ms",
      description = "The scorer cases' micro-batch delay (default: the scorer's, "
          + "scorer.max-batch-delay).")
  Long maxBatchDelayMillis;

  @Option(names = "--warm-up-rounds", defaultValue = "4",
      description = "Unmeasured warm-up rounds before the cases, each a drain of up to 60,000 "
          + "records and 2 s of live records through the first scorer case "
          + "(default: ${DEFAULT-VALUE}).")
  int warmUpRounds;

  @Option(names = "--score-target", paramLabel = "TARGET",
      description = "The scorer cases' models' score target, last-record or window "
          + "(default: the trainer's, last-record).")
  String scoreTarget;

  @Option(names = "--offered-rate", paramLabel = "RECORDS_PER_SECOND",
      description = "Offer this many records/s in every case's latency phase, so that cases are "
          + "compared at one load (default: half of each case's own drain rate).")
  Double offeredRate;

  @Override
  public Integer call() throws Exception {
    if (records < 1_000) {
      throw new IllegalArgumentException("--records must be at least 1000");
    }
    if (partitions < 1 || series < 1 || latencySeconds < 1 || epochs < 1) {
      throw new IllegalArgumentException(
          "--partitions, --series, --latency-seconds and --epochs must be positive");
    }
    if (warmUpRounds < 0) {
      throw new IllegalArgumentException("--warm-up-rounds must not be negative");
    }
    if (commitIntervalMillis != null && commitIntervalMillis < 1) {
      throw new IllegalArgumentException("--commit-interval-ms must be positive");
    }
    if (maxBatchDelayMillis != null && maxBatchDelayMillis < 1) {
      throw new IllegalArgumentException("--max-batch-delay-ms must be positive");
    }
    if (!List.of("exactly_once_v2", "at_least_once").contains(guarantee)) {
      throw new IllegalArgumentException("--guarantee must be exactly_once_v2 or at_least_once");
    }
    if (offeredRate != null && !(offeredRate >= 1 && offeredRate <= 10_000_000)) {
      throw new IllegalArgumentException("--offered-rate must be in [1, 10000000] records/s");
    }
    for (int l : mcSamples) {
      if (l < 1 || l > 256) {
        throw new IllegalArgumentException("--mc-samples must be in [1, 256], was " + l);
      }
    }
    BenchOptions options = new BenchOptions(records, summary, partitions, series, guarantee,
        List.copyOf(mcSamples), Duration.ofSeconds(latencySeconds), epochs,
        cases == null ? List.of() : List.copyOf(cases),
        commitIntervalMillis == null ? null : Duration.ofMillis(commitIntervalMillis),
        maxBatchDelayMillis == null ? null : Duration.ofMillis(maxBatchDelayMillis),
        warmUpRounds, scoreTarget == null ? null : VaeConfig.ScoreTarget.parse(scoreTarget),
        offeredRate == null ? 0 : offeredRate);
    new BenchRun(options, System.out).run();
    return 0;
  }
}
