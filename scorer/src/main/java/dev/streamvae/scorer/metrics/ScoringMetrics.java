package dev.streamvae.scorer.metrics;

import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.LoadAttempt;
import dev.streamvae.scorer.topology.DeadLetterReason;
import dev.streamvae.scorer.topology.ScoringListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The scorer's own meters, fed by the topology and the model registry. Meters are created once
 * and cached, so the per-record cost is an increment.
 */
public final class ScoringMetrics implements ScoringListener, Consumer<LoadAttempt> {

  private final MeterRegistry registry;
  private final Map<ScoreStatus, Counter> records = new EnumMap<>(ScoreStatus.class);
  private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
  private final Counter deadLettered;
  private final Map<String, Counter> anomalies = new ConcurrentHashMap<>();
  private final Map<LoadAttempt.Outcome, Counter> loads = new EnumMap<>(LoadAttempt.Outcome.class);
  private final DistributionSummary batchSize;
  private final Timer batchDuration;
  private final Timer endToEnd;
  private final AtomicLong activeVersion = new AtomicLong(-1);
  private final AtomicLong activatedAt = new AtomicLong(0);

  /** Registers the meters. */
  public ScoringMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (ScoreStatus s : ScoreStatus.values()) {
      records.put(s, Counter.builder("streamvae.records")
          .description("Input records by outcome")
          .tag("outcome", s.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry));
    }
    deadLettered = Counter.builder("streamvae.records")
        .description("Input records by outcome")
        .tag("outcome", "dead_letter")
        .register(registry);
    for (DeadLetterReason r : DeadLetterReason.values()) {
      deadLetters.put(r, Counter.builder("streamvae.dead.letters")
          .description("Records sent to the dead-letter topic, by reason")
          .tag("reason", r.code())
          .register(registry));
    }
    for (LoadAttempt.Outcome o : LoadAttempt.Outcome.values()) {
      loads.put(o, Counter.builder("streamvae.model.loads")
          .description("Model envelopes offered to the registry, by outcome")
          .tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry));
    }
    batchSize = DistributionSummary.builder("streamvae.batch.size")
        .description("Windows per scoring batch").baseUnit("windows")
        .publishPercentileHistogram().register(registry);
    batchDuration = Timer.builder("streamvae.batch.duration")
        .description("Model time per scoring batch").publishPercentileHistogram()
        .register(registry);
    endToEnd = Timer.builder("streamvae.end.to.end.latency")
        .description("From the record's timestamp to its score").publishPercentileHistogram()
        .register(registry);
    registry.gauge("streamvae.model.version", activeVersion);
    registry.gauge("streamvae.model.activated.timestamp.seconds", activatedAt);
  }

  @Override
  public void onScore(ScoreStatus status, boolean anomaly, String modelName) {
    records.get(status).increment();
    if (anomaly) {
      anomalies.computeIfAbsent(modelName, m -> Counter.builder("streamvae.anomalies")
          .description("Records flagged anomalous").tag("model", m).register(registry))
          .increment();
    }
  }

  @Override
  public void onDeadLetter(DeadLetterReason reason) {
    deadLettered.increment();
    deadLetters.get(reason).increment();
  }

  @Override
  public void onBatch(int windows, long nanos) {
    batchSize.record(windows);
    batchDuration.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onEndToEndLatency(long millis) {
    endToEnd.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  @Override
  public void accept(LoadAttempt attempt) {
    loads.get(attempt.outcome()).increment();
    if (attempt.outcome() == LoadAttempt.Outcome.ACTIVATED && attempt.version() != null) {
      activeVersion.set(attempt.version());
      activatedAt.set(attempt.at().getEpochSecond());
    }
  }
}
