package dev.streamvae.scorer;

import dev.streamvae.scorer.topology.InputLimits;
import dev.streamvae.scorer.topology.TopologySettings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.Set;

/**
 * The scorer's settings, read from {@code scorer.*} (application.yml, environment variables such
 * as {@code SCORER_MODEL_NAME}, or system properties) and validated when read.
 *
 * @param applicationId Kafka Streams application id; instances sharing it share the work
 * @param inputTopic metrics topic
 * @param scoresTopic scores topic
 * @param alertsTopic alerts topic
 * @param deadLetterTopic dead-letter topic
 * @param modelsTopic compacted models topic
 * @param modelName the model every series goes to when {@code scorer.models.routes} is empty
 * @param batchSize records scored together per task
 * @param maxBatchDelay longest a record waits for its batch
 * @param windowCapacity records kept per series; models with longer windows are rejected
 * @param processingGuarantee {@code exactly_once_v2} (default) or {@code at_least_once}
 * @param streamThreads Kafka Streams threads
 * @param stateDir Kafka Streams state directory, or null for the default
 * @param modelStartupWait how long start-up waits to read the models topic before scoring
 * @param standbyReplicas warm copies of each task's state kept on other instances
 *     ({@code num.standby.replicas}), so a failed instance's series move without a restore
 * @param maxRecordBytes largest input key plus value; larger records are dead-lettered
 * @param maxFeatures most metrics one input record may carry
 * @param maxFutureSkew how far ahead of this scorer's clock an input timestamp may be
 * @param shadowTopic where shadow candidates' scores go (see {@code scorer.models.shadows})
 * @param alertLookback an anomaly goes to the alerts topic only when its score exceeds every
 *     score of the series' previous this-many scored records; 0 sends every anomaly
 * @param alertSurprise an anomaly with a surprise (a model whose manifest has a score baseline)
 *     goes to the alerts topic only when the surprise is at least this, in [0, 1); 0 ignores it
 */
@ConfigurationProperties("scorer")
public record ScorerConfig(
    @Bindable(defaultValue = "streamvae-scorer") String applicationId,
    @Bindable(defaultValue = "metrics") String inputTopic,
    @Bindable(defaultValue = "anomaly-scores") String scoresTopic,
    @Bindable(defaultValue = "anomaly-alerts") String alertsTopic,
    @Bindable(defaultValue = "anomaly-dead-letters") String deadLetterTopic,
    @Bindable(defaultValue = "anomaly-models") String modelsTopic,
    @Bindable(defaultValue = "default") String modelName,
    @Bindable(defaultValue = "256") int batchSize,
    @Bindable(defaultValue = "25ms") Duration maxBatchDelay,
    @Bindable(defaultValue = "128") int windowCapacity,
    @Bindable(defaultValue = "exactly_once_v2") String processingGuarantee,
    @Bindable(defaultValue = "1") int streamThreads,
    @Nullable String stateDir,
    @Bindable(defaultValue = "30s") Duration modelStartupWait,
    @Bindable(defaultValue = "0") int standbyReplicas,
    @Bindable(defaultValue = "65536") int maxRecordBytes,
    @Bindable(defaultValue = "64") int maxFeatures,
    @Bindable(defaultValue = "1d") Duration maxFutureSkew,
    @Bindable(defaultValue = "anomaly-scores-shadow") String shadowTopic,
    @Bindable(defaultValue = "16") int alertLookback,
    @Bindable(defaultValue = "0.95") double alertSurprise) {

  private static final Set<String> GUARANTEES = Set.of("exactly_once_v2", "at_least_once");

  /** Validates the settings; a mistake fails start-up with a message naming the setting. */
  public ScorerConfig {
    if (applicationId == null || applicationId.isBlank()) {
      throw new IllegalArgumentException("scorer.application-id must not be blank");
    }
    if (modelsTopic == null || modelsTopic.isBlank()) {
      throw new IllegalArgumentException("scorer.models-topic must name a topic");
    }
    if (modelName == null || modelName.isBlank()) {
      throw new IllegalArgumentException("scorer.model-name must not be blank");
    }
    if (!GUARANTEES.contains(processingGuarantee)) {
      throw new IllegalArgumentException("scorer.processing-guarantee must be one of "
          + GUARANTEES + ", was " + processingGuarantee);
    }
    if (streamThreads < 1) {
      throw new IllegalArgumentException("scorer.stream-threads must be at least 1");
    }
    if (modelStartupWait == null || modelStartupWait.isNegative()) {
      throw new IllegalArgumentException("scorer.model-startup-wait must not be negative");
    }
    if (standbyReplicas < 0) {
      throw new IllegalArgumentException("scorer.standby-replicas must not be negative");
    }
    if (alertLookback < 0 || alertLookback > 4096) {
      throw new IllegalArgumentException("scorer.alert-lookback must be in [0, 4096], was "
          + alertLookback);
    }
    if (!(alertSurprise >= 0 && alertSurprise < 1)) {
      throw new IllegalArgumentException("scorer.alert-surprise must be in [0, 1), was "
          + alertSurprise);
    }
    new TopologySettings(inputTopic, scoresTopic, alertsTopic, deadLetterTopic, batchSize,
        maxBatchDelay, windowCapacity, inputLimits(maxRecordBytes, maxFeatures, maxFutureSkew),
        shadowTopic, alertLookback, alertSurprise);
  }

  private static InputLimits inputLimits(int maxRecordBytes, int maxFeatures,
      Duration maxFutureSkew) {
    try {
      return new InputLimits(maxRecordBytes, maxFeatures, maxFutureSkew);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("scorer.max-record-bytes, scorer.max-features or "
          + "scorer.max-future-skew: " + e.getMessage(), e);
    }
  }

  /** The topology's part of the settings. */
  public TopologySettings topologySettings() {
    return new TopologySettings(inputTopic, scoresTopic, alertsTopic, deadLetterTopic, batchSize,
        maxBatchDelay, windowCapacity, inputLimits(maxRecordBytes, maxFeatures, maxFutureSkew),
        shadowTopic, alertLookback, alertSurprise);
  }
}
