package dev.streamvae.scorer.metrics;

import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.model.LoadAttempt;
import dev.streamvae.scorer.topology.DeadLetterReason;
import dev.streamvae.scorer.topology.ScoringListener;
import dev.streamvae.vae.InvalidModelException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The scorer's own meters, fed by the topology and the model registry. Meters are created once
 * and cached, so the per-record cost is a map lookup and an increment. In Prometheus format:
 *
 * <ul>
 *   <li>{@code streamvae_records_total{outcome, model}}: every input record once, outcome
 *       {@code scored|warming_up|no_model|dead_letter}, model the scoring model or {@code none}
 *   <li>{@code streamvae_dead_letters_total{reason}}
 *   <li>{@code streamvae_anomalies_total{model}}
 *   <li>{@code streamvae_alerts_total{model}}: anomalies that opened an alert (sent to the alerts
 *       topic), see {@code scorer.alert-lookback}
 *   <li>{@code streamvae_score_surprise{model}}: the surprise of each SCORED record that has one
 *       (histogram with buckets at 0.5, 0.9, 0.95 and 0.99), to see what share of scores a
 *       {@code scorer.alert-surprise} would let through
 *   <li>{@code streamvae_batch_size_windows}, {@code streamvae_batch_duration_seconds} (histograms)
 *   <li>{@code streamvae_end_to_end_latency_seconds}: record timestamp to score (histogram)
 *   <li>{@code streamvae_model_version{model}}, {@code
 *       streamvae_model_activated_timestamp_seconds{model}}: the active model per name, -1 / 0
 *       before one
 *   <li>{@code streamvae_model_loads_total{outcome, reason}}: records of the models topic by
 *       outcome ({@code activated|verified|ignored|policy|rejected}) and, for rejections, reason
 *       ({@code checksum|unsigned|untrusted_key|bad_signature|incompatible|reference_mismatch|
 *       too_large|malformed|duplicate_version|bad_policy}, else {@code none}); {@code
 *       streamvae_model_load_duration_seconds}
 *   <li>{@code streamvae_no_model_records_total{model, reason}}: records answered NO_MODEL, reason
 *       {@code no_route} (no routing rule matches the series) or {@code no_active_version}
 *   <li>{@code streamvae_shadow_records_total{model}}: records scored by a shadow candidate
 * </ul>
 */
public final class ScoringMetrics implements ScoringListener, Consumer<LoadAttempt> {

  private static final String NO_MODEL = "none";

  private final MeterRegistry registry;
  private final Map<ScoreStatus, Map<String, Counter>> records = new EnumMap<>(ScoreStatus.class);
  private final Counter deadLettered;
  private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
  private final Map<String, Counter> anomalies = new ConcurrentHashMap<>();
  private final Map<String, Counter> alerts = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> surprises = new ConcurrentHashMap<>();
  private final Map<String, Counter> loads = new ConcurrentHashMap<>();
  private final Map<String, Counter> noModel = new ConcurrentHashMap<>();
  private final Map<String, Counter> shadowRecords = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong[]> modelGauges = new ConcurrentHashMap<>();
  private final DistributionSummary batchSize;
  private final Timer batchDuration;
  private final Timer endToEnd;
  private final Timer loadDuration;

  /**
   * Registers the meters.
   *
   * @param registry where meters go
   * @param modelName the model this scorer serves, the tag of the model gauges
   */
  public ScoringMetrics(MeterRegistry registry, String modelName) {
    this.registry = registry;
    for (ScoreStatus s : ScoreStatus.values()) {
      records.put(s, new ConcurrentHashMap<>());
      records(s, s == ScoreStatus.NO_MODEL ? NO_MODEL : modelName);
    }
    deadLettered = recordsCounter("dead_letter", NO_MODEL);
    for (DeadLetterReason r : DeadLetterReason.values()) {
      deadLetters.put(r, Counter.builder("streamvae.dead.letters")
          .description("Records sent to the dead-letter topic, by reason")
          .tag("reason", r.code())
          .register(registry));
    }
    anomalies(modelName);
    for (LoadAttempt.Outcome o : LoadAttempt.Outcome.values()) {
      loads(o.name().toLowerCase(Locale.ROOT), "none");
    }
    // Every rejection reason from 0, so that increase() sees the first rejection of each.
    for (InvalidModelException.Kind k : InvalidModelException.Kind.values()) {
      loads("rejected", k.name().toLowerCase(Locale.ROOT));
    }
    loads("rejected", "duplicate_version");
    loads("rejected", "bad_policy");
    batchSize = DistributionSummary.builder("streamvae.batch.size")
        .description("Windows per scoring batch").baseUnit("windows")
        .publishPercentileHistogram().register(registry);
    batchDuration = Timer.builder("streamvae.batch.duration")
        .description("Model time per scoring batch").publishPercentileHistogram()
        .register(registry);
    endToEnd = Timer.builder("streamvae.end.to.end.latency")
        .description("From the record's timestamp to its score").publishPercentileHistogram()
        .register(registry);
    loadDuration = Timer.builder("streamvae.model.load.duration")
        .description("Decoding, verifying and loading one model envelope")
        .register(registry);
    modelGauges(modelName);
  }

  private AtomicLong[] modelGauges(String model) {
    return modelGauges.computeIfAbsent(model, m -> {
      AtomicLong[] values = {new AtomicLong(-1), new AtomicLong(0)};
      Gauge.builder("streamvae.model.version", values[0], AtomicLong::get)
          .description("Version of the active model; -1 before the first")
          .tag("model", m).register(registry);
      Gauge.builder("streamvae.model.activated.timestamp.seconds", values[1], AtomicLong::get)
          .description("When the active model started serving, epoch seconds; 0 before the first")
          .tag("model", m).register(registry);
      return values;
    });
  }

  private Counter loads(String outcome, String reason) {
    return loads.computeIfAbsent(outcome + "/" + reason, k -> Counter.builder(
            "streamvae.model.loads")
        .description("Records of the models topic offered to the registry, by outcome and reason")
        .tag("outcome", outcome).tag("reason", reason)
        .register(registry));
  }

  @Override
  public void onNoModel(String modelName, String reason) {
    String model = modelName == null ? NO_MODEL : modelName;
    noModel.computeIfAbsent(model + "/" + reason, k -> Counter.builder(
            "streamvae.no.model.records")
        .description("Records answered NO_MODEL, by routed model and reason")
        .tag("model", model).tag("reason", reason).register(registry)).increment();
  }

  @Override
  public void onShadowScore(String modelName) {
    shadowRecords.computeIfAbsent(modelName, m -> Counter.builder("streamvae.shadow.records")
        .description("Records scored by a shadow candidate, written to the shadow topic")
        .tag("model", m).register(registry)).increment();
  }

  private Counter records(ScoreStatus status, String model) {
    Map<String, Counter> byModel = records.get(status);
    Counter counter = byModel.get(model);
    return counter != null ? counter : byModel.computeIfAbsent(model,
        m -> recordsCounter(status.name().toLowerCase(Locale.ROOT), m));
  }

  private Counter recordsCounter(String outcome, String model) {
    return Counter.builder("streamvae.records")
        .description("Input records by outcome; each input record is counted once")
        .tag("outcome", outcome)
        .tag("model", model)
        .register(registry);
  }

  private Counter anomalies(String model) {
    return anomalies.computeIfAbsent(model, m -> Counter.builder("streamvae.anomalies")
        .description("Records flagged anomalous").tag("model", m).register(registry));
  }

  private Counter alerts(String model) {
    return alerts.computeIfAbsent(model, m -> Counter.builder("streamvae.alerts")
        .description("Anomalies that opened an alert").tag("model", m).register(registry));
  }

  @Override
  public void onScoreRecord(ScoreRecord record, Map<String, Double> values) {
    if (record.surprise() != null) {
      String model = record.modelName() == null ? NO_MODEL : record.modelName();
      surprises.computeIfAbsent(model, m -> DistributionSummary
              .builder("streamvae.score.surprise")
              .description("Surprise of each scored record against its series' recent scores")
              .serviceLevelObjectives(0.5, 0.9, 0.95, 0.99).tag("model", m).register(registry))
          .record(record.surprise());
    }
  }

  @Override
  public void onAlert(String modelName) {
    alerts(modelName == null ? NO_MODEL : modelName).increment();
  }

  @Override
  public void onScore(ScoreStatus status, boolean anomaly, String modelName) {
    String model = modelName == null ? NO_MODEL : modelName;
    records(status, model).increment();
    if (anomaly) {
      anomalies(model).increment();
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
    loads(attempt.outcome().name().toLowerCase(Locale.ROOT), attempt.reasonCode())
        .increment();
    loadDuration.record(attempt.duration());
    if (attempt.outcome() == LoadAttempt.Outcome.ACTIVATED && attempt.version() != null
        && attempt.modelName() != null) {
      AtomicLong[] gauges = modelGauges(attempt.modelName());
      gauges[0].set(attempt.version());
      gauges[1].set(attempt.at().getEpochSecond());
    }
  }
}
