package dev.streamvae.scorer.streams;

import dev.streamvae.scorer.KafkaClientConfig;
import dev.streamvae.scorer.ScorerConfig;
import dev.streamvae.scorer.live.LiveConfig;
import dev.streamvae.scorer.live.LiveFeed;
import dev.streamvae.scorer.metrics.ScoringMetrics;
import dev.streamvae.scorer.model.ModelRegistry;
import dev.streamvae.scorer.model.ModelTopicWatcher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/** Wires the plain objects of the model and topology packages into the service. */
@Factory
public class ScorerFactory {

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

  /** The registry of the served model. */
  @Singleton
  ModelRegistry modelRegistry(ScorerConfig config, Clock clock, ScoringMetrics metrics) {
    return new ModelRegistry(config.modelName(), config.windowCapacity(), clock, metrics);
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
