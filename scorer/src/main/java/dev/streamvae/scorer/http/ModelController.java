package dev.streamvae.scorer.http;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.scorer.model.LoadAttempt;
import dev.streamvae.scorer.model.ModelRegistry;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /model}: the active model's manifest, when it became active, and the recent load
 * attempts with their outcome and reason (so a rejected model is visible without reading logs).
 */
@Controller("/model")
public class ModelController {

  private final ModelRegistry registry;

  /** Reads the registry. */
  public ModelController(ModelRegistry registry) {
    this.registry = registry;
  }

  /** The model information as JSON. */
  @Get
  @Produces(MediaType.APPLICATION_JSON)
  public String model() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("modelName", registry.modelName());
    body.put("active", registry.current().map(m -> {
      Map<String, Object> active = new LinkedHashMap<>();
      active.put("version", m.version());
      active.put("activatedAt", m.activatedAt().toString());
      active.put("manifest", new com.fasterxml.jackson.databind.util.RawValue(new String(
          JsonCodec.modelManifest().encode(m.manifest()), StandardCharsets.UTF_8)));
      return active;
    }).orElse(null));
    List<Map<String, Object>> attempts = new ArrayList<>();
    for (LoadAttempt a : registry.attempts()) {
      Map<String, Object> attempt = new LinkedHashMap<>();
      attempt.put("at", a.at().toString());
      attempt.put("origin", a.origin());
      attempt.put("modelName", a.modelName());
      attempt.put("version", a.version());
      attempt.put("outcome", a.outcome().name());
      attempt.put("reason", a.reason());
      attempts.add(attempt);
    }
    body.put("attempts", attempts);
    try {
      return MAPPER.writeValueAsString(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
      new com.fasterxml.jackson.databind.ObjectMapper();
}
