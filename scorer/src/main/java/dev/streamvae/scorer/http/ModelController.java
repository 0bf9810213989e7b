package dev.streamvae.scorer.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.scorer.model.ActiveModel;
import dev.streamvae.scorer.model.LoadAttempt;
import dev.streamvae.scorer.model.ModelControl;
import dev.streamvae.scorer.model.ModelPolicy;
import dev.streamvae.scorer.model.ModelRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The model registry over HTTP. Reading is open: {@code GET /model} (the default model, as
 * before) and {@code GET /models[/NAME]}: every name, every version seen with its verification
 * result, the policy, which version is active and since when, the shadow, and the recent
 * attempts. Changing is authenticated ({@link AdminTokenFilter}) and goes through the models
 * topic ({@link ModelControl}) so every instance applies it: {@code POST /models/NAME/pin},
 * {@code DELETE /models/NAME/pin} (follow the newest again), {@code POST /models/NAME/rollback},
 * {@code POST /models/NAME/shadow}, {@code DELETE /models/NAME/shadow}, {@code POST
 * /models/NAME/promote}; bodies are {@code {"version": N}}.
 */
@Controller
@Produces(MediaType.APPLICATION_JSON)
public class ModelController {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ModelRegistry registry;
  private final ModelControl control;

  /** Reads the registry; changes go through {@code control}. */
  public ModelController(ModelRegistry registry, ModelControl control) {
    this.registry = registry;
    this.control = control;
  }

  /** The default model's active version and the recent load attempts. */
  @Get("/model")
  public String model() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("modelName", registry.modelName());
    body.put("active", registry.current().map(ModelController::active).orElse(null));
    body.put("attempts", attempts());
    return write(body);
  }

  /** Every model name with its versions, policy, active and shadow model. */
  @Get("/models")
  public String models() {
    List<Object> models = new ArrayList<>();
    for (String name : registry.modelNames()) {
      registry.view(name).ifPresent(v -> models.add(view(v)));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("models", models);
    body.put("attempts", attempts());
    return write(body);
  }

  /** One model name. */
  @Get("/models/{name}")
  public HttpResponse<String> model(@PathVariable String name) {
    return registry.view(name).<HttpResponse<String>>map(v -> HttpResponse.ok(write(view(v))))
        .orElseGet(() -> notFound(name));
  }

  /** Serves exactly the given verified version. */
  @Post("/models/{name}/pin")
  public HttpResponse<String> pin(@PathVariable String name, @Nullable @Body String body) {
    return change(name, body, true, (p, v) -> p.withPin(v, control.now(), "http:pin"));
  }

  /** Follows the newest promoted version again. */
  @Delete("/models/{name}/pin")
  public HttpResponse<String> unpin(@PathVariable String name) {
    return change(name, null, false, (p, v) -> p.withPin(null, control.now(), "http:unpin"));
  }

  /**
   * Pins the version before the active one (or the given older version): the newest verified
   * version older than the active.
   */
  @Post("/models/{name}/rollback")
  public HttpResponse<String> rollback(@PathVariable String name, @Nullable @Body String body) {
    Optional<ModelRegistry.NameView> view = registry.view(name);
    if (view.isEmpty()) {
      return notFound(name);
    }
    Long requested = version(body);
    if (requested == null) {
      ActiveModel active = view.get().active();
      if (active == null) {
        return error(HttpStatus.CONFLICT, "'" + name + "' has no active version to roll back");
      }
      requested = view.get().versions().stream()
          .filter(v -> v.version() < active.version() && "VERIFIED".equals(v.status()))
          .map(ModelRegistry.VersionView::version).findFirst().orElse(null);
      if (requested == null) {
        return error(HttpStatus.CONFLICT, "no verified version older than the active "
            + active.version());
      }
    }
    String json = "{\"version\":" + requested + "}";
    return change(name, json, true, (p, v) -> p.withPin(v, control.now(), "http:rollback"));
  }

  /** Scores every record of the name also with the given candidate, into the shadow topic. */
  @Post("/models/{name}/shadow")
  public HttpResponse<String> shadow(@PathVariable String name, @Nullable @Body String body) {
    return change(name, body, true, (p, v) -> p.withShadow(v, control.now(), "http:shadow"));
  }

  /** Stops shadowing. */
  @Delete("/models/{name}/shadow")
  public HttpResponse<String> unshadow(@PathVariable String name) {
    return change(name, null, false, (p, v) -> p.withShadow(null, control.now(),
        "http:unshadow"));
  }

  /** Promotes a verified version (e.g. a held or shadowed candidate): unpins and approves it. */
  @Post("/models/{name}/promote")
  public HttpResponse<String> promote(@PathVariable String name, @Nullable @Body String body) {
    return change(name, body, true, (p, v) -> p.promote(v, control.now(), "http:promote"));
  }

  private interface Change {
    ModelPolicy apply(ModelPolicy current, Long version);
  }

  private HttpResponse<String> change(String name, String body, boolean needsVersion,
      Change change) {
    if (registry.view(name).isEmpty()) {
      return notFound(name);
    }
    Long version = null;
    if (needsVersion) {
      try {
        version = version(body);
      } catch (IllegalArgumentException e) {
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
      }
      if (version == null) {
        return error(HttpStatus.BAD_REQUEST, "body must be {\"version\": N}");
      }
      if (!registry.isVerified(name, version)) {
        return error(HttpStatus.CONFLICT, "version " + version + " of '" + name
            + "' has not been verified by this scorer (see GET /models/" + name + ")");
      }
    }
    Long v = version;
    UnaryOperator<ModelPolicy> op = p -> change.apply(p, v);
    try {
      control.change(name, op);
    } catch (IllegalStateException e) {
      return error(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }
    return HttpResponse.ok(write(view(registry.view(name).orElseThrow())));
  }

  private static Long version(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode node = MAPPER.readTree(body).path("version");
      if (node.isMissingNode() || node.isNull()) {
        return null;
      }
      if (!node.canConvertToExactIntegral() || node.asLong() < 0) {
        throw new IllegalArgumentException("version must be a non-negative integer");
      }
      return node.asLong();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("body is not JSON: " + e.getOriginalMessage());
    }
  }

  private static Map<String, Object> view(ModelRegistry.NameView v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("modelName", v.modelName());
    Map<String, Object> policy = new LinkedHashMap<>();
    policy.put("mode", v.policy().pin() == null ? "follow-newest" : "pinned");
    policy.put("pin", v.policy().pin());
    policy.put("shadow", v.policy().shadow());
    policy.put("approved", v.policy().approvedSorted());
    policy.put("updatedBy", v.policy().updatedBy());
    policy.put("updatedAt", v.policy().updatedAt());
    m.put("policy", policy);
    m.put("active", v.active() == null ? null : active(v.active()));
    m.put("shadow", v.shadow() == null ? null : Map.of("version", v.shadow().version(),
        "since", v.shadow().activatedAt().toString()));
    m.put("note", v.note());
    List<Object> versions = new ArrayList<>();
    for (ModelRegistry.VersionView version : v.versions()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("version", version.version());
      e.put("status", version.status());
      e.put("reasonCode", version.reasonCode());
      e.put("reason", version.reason());
      e.put("active", v.active() != null && v.active().version() == version.version());
      e.put("shadow", v.shadow() != null && v.shadow().version() == version.version());
      e.put("resident", version.resident());
      e.put("signed", version.signed());
      e.put("origin", version.origin());
      e.put("seenAt", version.seenAt().toString());
      ModelManifest manifest = version.manifest();
      if (manifest != null) {
        e.put("createdAt", manifest.createdAt());
        e.put("features", manifest.features());
        e.put("windowLength", manifest.windowLength());
        e.put("promoted", manifest.promoted());
        e.put("promotion", manifest.promotion());
        e.put("validation", manifest.validation());
      }
      versions.add(e);
    }
    m.put("versions", versions);
    return m;
  }

  private static Map<String, Object> active(ActiveModel m) {
    Map<String, Object> active = new LinkedHashMap<>();
    active.put("version", m.version());
    active.put("activatedAt", m.activatedAt().toString());
    active.put("manifest", new RawValue(new String(
        JsonCodec.modelManifest().encode(m.manifest()), StandardCharsets.UTF_8)));
    return active;
  }

  private List<Map<String, Object>> attempts() {
    List<Map<String, Object>> attempts = new ArrayList<>();
    for (LoadAttempt a : registry.attempts()) {
      Map<String, Object> attempt = new LinkedHashMap<>();
      attempt.put("at", a.at().toString());
      attempt.put("origin", a.origin());
      attempt.put("modelName", a.modelName());
      attempt.put("version", a.version());
      attempt.put("outcome", a.outcome().name());
      attempt.put("reasonCode", a.reasonCode());
      attempt.put("reason", a.reason());
      attempts.add(attempt);
    }
    return attempts;
  }

  private static MutableHttpResponse<String> notFound(String name) {
    return error(HttpStatus.NOT_FOUND, "no model named '" + name + "'");
  }

  private static MutableHttpResponse<String> error(HttpStatus status, String message) {
    return HttpResponse.<String>status(status).body(write(Map.of("error", message)));
  }

  static String write(Object body) {
    try {
      return MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
