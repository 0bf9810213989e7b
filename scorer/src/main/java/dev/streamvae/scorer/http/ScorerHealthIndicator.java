package dev.streamvae.scorer.http;

import dev.streamvae.scorer.model.ModelRegistry;
import dev.streamvae.scorer.streams.ScoringService;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.reactivestreams.Publisher;
import io.micronaut.core.async.publisher.Publishers;

/**
 * Reports the streams state and whether a model is loaded. Without a model the scorer is UP (it
 * answers every record with NO_MODEL) and says so in the details; it is DOWN when Kafka Streams
 * is not running.
 */
@Singleton
public class ScorerHealthIndicator implements HealthIndicator {

  private final ScoringService service;
  private final ModelRegistry registry;

  /** Reads the service and the registry. */
  public ScorerHealthIndicator(ScoringService service, ModelRegistry registry) {
    this.service = service;
    this.registry = registry;
  }

  @Override
  public Publisher<HealthResult> getResult() {
    KafkaStreams.State state = service.state();
    HealthStatus status = switch (state) {
      case RUNNING, REBALANCING -> HealthStatus.UP;
      case CREATED -> HealthStatus.UNKNOWN;
      default -> HealthStatus.DOWN;
    };
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("streams", state.name());
    details.put("modelName", registry.modelName());
    registry.current().ifPresentOrElse(m -> {
      details.put("modelLoaded", true);
      details.put("modelVersion", m.version());
      details.put("modelActivatedAt", m.activatedAt().toString());
    }, () -> details.put("modelLoaded", false));
    Map<String, Object> models = new LinkedHashMap<>();
    for (String name : registry.modelNames()) {
      models.put(name, registry.active(name).map(m -> (Object) m.version()).orElse("none"));
    }
    details.put("activeVersions", models);
    return Publishers.just(HealthResult.builder("scorer", status).details(details).build());
  }
}
