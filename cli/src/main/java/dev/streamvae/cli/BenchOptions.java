package dev.streamvae.cli;

import dev.streamvae.vae.VaeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@code anomaly bench} runs.
 *
 * @param records records in the backlog each scorer case drains (the pass-through: five times as
 *     many)
 * @param summary where the JSON summary goes, or null
 * @param partitions input topic partitions
 * @param series distinct series keys
 * @param guarantee Kafka Streams processing guarantee, the same for every case
 * @param mcSamples Monte Carlo sample counts for the extra scorer cases
 * @param latencyDuration how long each case is fed at the fixed offered rate
 * @param epochs training epochs of the models
 * @param cases the case names to run, or empty for all
 * @param commitInterval Kafka Streams commit interval for every case, or null for the scorer's
 * @param maxBatchDelay the scorer cases' micro-batch delay, or null for the scorer's default
 * @param warmUpRounds unmeasured warm-up rounds (a drain and a short live phase) before the cases
 * @param scoreTarget the score target of every scorer case's model, or null for the trainer's
 *     default
 * @param offeredRate records/s offered in every case's latency phase, or 0 for half the rate at
 *     which that case drained its backlog
 */
public record BenchOptions(long records, Path summary, int partitions, int series,
    String guarantee, List<Integer> mcSamples, Duration latencyDuration, int epochs,
    List<String> cases, Duration commitInterval, Duration maxBatchDelay, int warmUpRounds,
    VaeConfig.ScoreTarget scoreTarget, double offeredRate) {

  /** Options whose latency phases offer half of each case's drain rate. */
  public BenchOptions(long records, Path summary, int partitions, int series, String guarantee,
      List<Integer> mcSamples, Duration latencyDuration, int epochs, List<String> cases,
      Duration commitInterval, Duration maxBatchDelay, int warmUpRounds,
      VaeConfig.ScoreTarget scoreTarget) {
    this(records, summary, partitions, series, guarantee, mcSamples, latencyDuration, epochs,
        cases, commitInterval, maxBatchDelay, warmUpRounds, scoreTarget, 0);
  }

  /** Options whose models have the trainer's default score target. */
  public BenchOptions(long records, Path summary, int partitions, int series, String guarantee,
      List<Integer> mcSamples, Duration latencyDuration, int epochs, List<String> cases,
      Duration commitInterval, Duration maxBatchDelay, int warmUpRounds) {
    this(records, summary, partitions, series, guarantee, mcSamples, latencyDuration, epochs,
        cases, commitInterval, maxBatchDelay, warmUpRounds, null);
  }

  /** Options with one warm-up round. */
  public BenchOptions(long records, Path summary, int partitions, int series, String guarantee,
      List<Integer> mcSamples, Duration latencyDuration, int epochs, List<String> cases,
      Duration commitInterval, Duration maxBatchDelay) {
    this(records, summary, partitions, series, guarantee, mcSamples, latencyDuration, epochs,
        cases, commitInterval, maxBatchDelay, 1);
  }

  /** Options with the scorer's default micro-batch delay. */
  public BenchOptions(long records, Path summary, int partitions, int series, String guarantee,
      List<Integer> mcSamples, Duration latencyDuration, int epochs, List<String> cases,
      Duration commitInterval) {
    this(records, summary, partitions, series, guarantee, mcSamples, latencyDuration, epochs,
        cases, commitInterval, null);
  }
}
