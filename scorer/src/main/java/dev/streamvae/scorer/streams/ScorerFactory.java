package dev.streamvae.scorer.streams;

import dev.streamvae.scorer.KafkaClientConfig;
import dev.streamvae.scorer.ScorerConfig;
import dev.streamvae.scorer.live.LiveConfig;
import dev.streamvae.scorer.live.LiveFeed;
import dev.streamvae.scorer.metrics.ScoringMetrics;
import dev.streamvae.scorer.ModelsConfig;
import dev.streamvae.scorer.model.EnvelopeVerifier;
import dev.streamvae.scorer.model.ModelControl;
import dev.streamvae.scorer.model.ModelRegistry;
import dev.streamvae.scorer.model.ModelTopicWatcher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the plain objects of the model and topology packages into the service. */
@Factory
public class ScorerFactory {

  private static final Logger LOG = LoggerFactory.getLogger(ScorerFactory.class);

  /** The clock stamped on scores and model activations. */
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }

  /** Meters of scoring and model loads. */
  @Singleton
  ScoringMetrics scoringMetrics(MeterRegistry registry, ScorerConfig config) {
    return new ScoringMetrics(registry, config.modelName());
  }

  /**
   * The live page's bounded store of recent points, fed by the topology; absent when {@code
   * scorer.live.enabled} is false.
   */
  @Singleton
  @Requires(property = "scorer.live.enabled", notEquals = "false")
  LiveFeed liveFeed(LiveConfig config, Clock clock) {
    return new LiveFeed(config.pointsPerSeries(), config.maxSeries(), clock);
  }

  /** The registry of every model name: verification, policies, active and shadow models. */
  @Singleton
  ModelRegistry modelRegistry(ScorerConfig config, ModelsConfig models, Clock clock,
      ScoringMetrics metrics) {
    EnvelopeVerifier verifier = new EnvelopeVerifier(models.trustedPublicKeys(),
        models.allowUnsigned(), models.maxEnvelopeBytes(), models.referenceTolerance(),
        config.windowCapacity(), models.expectedFeatures());
    if (models.allowUnsigned()) {
      LOG.warn("scorer.models.allow-unsigned=true: unsigned model envelopes will be served "
          + "(development only)");
    } else if (models.trustedPublicKeys().isEmpty()) {
      LOG.warn("no scorer.models.trusted-keys and unsigned envelopes are not allowed: every "
          + "model will be rejected until a trusted key is configured");
    }
    return new ModelRegistry(models.router(config.modelName()), config.modelName(), verifier,
        models.policies(), models.residentVersions(), clock, metrics);
  }

  /** Writes policy records to the models topic for the authenticated HTTP endpoints. */
  @Singleton
  @Bean(preDestroy = "close")
  ModelControl modelControl(ScorerConfig config, KafkaClientConfig kafka,
      ModelRegistry registry, Clock clock) {
    return new ModelControl(kafka.properties(), config.modelsTopic(), registry, clock);
  }

  /** The consumer following the models topic; closed with the context. */
  @Singleton
  @Bean(preDestroy = "close")
  ModelTopicWatcher modelTopicWatcher(ScorerConfig config, KafkaClientConfig kafka,
      ModelRegistry registry) {
    return new ModelTopicWatcher(kafka.properties(), config.modelsTopic(), registry,
        Duration.ofSeconds(1));
  }
}
