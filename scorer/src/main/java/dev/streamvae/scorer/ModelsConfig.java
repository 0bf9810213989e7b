package dev.streamvae.scorer;

import dev.streamvae.scorer.model.ModelPolicy;
import dev.streamvae.scorer.model.SeriesRouter;
import dev.streamvae.vae.SigningKeys;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the scorer trusts, routes and chooses models, read from {@code scorer.models.*} and
 * validated when read. List settings take comma-separated values from environment variables
 * (e.g. {@code SCORER_MODELS_ROUTES=cpu:prefix:web-,mem:series:db-1}).
 *
 * @param trustedKeys Ed25519 public keys whose signatures are accepted: PEM text, base64 X.509,
 *     or the path of a PEM file ({@code anomaly keygen} writes one)
 * @param allowUnsigned accept envelopes without a signature; for development only (a signed
 *     envelope is always checked)
 * @param maxEnvelopeBytes largest envelope accepted
 * @param referenceTolerance relative tolerance when reproducing reference-window scores
 * @param routes {@code MODEL:series:ID}, {@code MODEL:prefix:P}, {@code MODEL:regex:R}; empty:
 *     every series goes to {@code scorer.model-name}
 * @param features {@code MODEL:f1;f2}: the features the input carries for a model; a version
 *     reading others is rejected as incompatible
 * @param pins {@code MODEL:VERSION}: serve exactly this version (a rollback pins an older one)
 * @param shadows {@code MODEL:VERSION}: score every record also with this candidate
 * @param residentVersions newest verified versions per name kept loaded besides active/shadow
 * @param adminToken bearer token that the state-changing model endpoints require; when unset
 *     they answer 403
 */
@ConfigurationProperties("scorer.models")
public record ModelsConfig(
    @Nullable List<String> trustedKeys,
    @Bindable(defaultValue = "false") boolean allowUnsigned,
    @Bindable(defaultValue = "68157440") int maxEnvelopeBytes,
    @Bindable(defaultValue = "1e-4") double referenceTolerance,
    @Nullable List<String> routes,
    @Nullable List<String> features,
    @Nullable List<String> pins,
    @Nullable List<String> shadows,
    @Bindable(defaultValue = "3") int residentVersions,
    @Nullable String adminToken) {

  /** Validates the settings; a mistake fails start-up with a message naming the setting. */
  public ModelsConfig {
    trustedKeys = clean(trustedKeys);
    routes = clean(routes);
    features = clean(features);
    pins = clean(pins);
    shadows = clean(shadows);
    if (maxEnvelopeBytes < 1024) {
      throw new IllegalArgumentException("scorer.models.max-envelope-bytes must be at least 1024");
    }
    if (!(referenceTolerance > 0 && referenceTolerance < 1)) {
      throw new IllegalArgumentException("scorer.models.reference-tolerance must be in (0, 1)");
    }
    if (residentVersions < 1) {
      throw new IllegalArgumentException("scorer.models.resident-versions must be at least 1");
    }
    if (adminToken != null && adminToken.isBlank()) {
      adminToken = null;
    }
    if (adminToken != null && adminToken.length() < 16) {
      throw new IllegalArgumentException("scorer.models.admin-token must have at least 16 "
          + "characters");
    }
    trustedPublicKeys(trustedKeys);
    new SeriesRouter("default", routes);
    expectedFeatures(features);
    policies(pins, shadows);
  }

  private static List<String> clean(List<String> values) {
    return values == null ? List.of()
        : values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
  }

  /** The trusted keys by key id. */
  public Map<String, PublicKey> trustedPublicKeys() {
    return trustedPublicKeys(trustedKeys);
  }

  private static Map<String, PublicKey> trustedPublicKeys(List<String> keys) {
    Map<String, PublicKey> byId = new HashMap<>();
    for (String k : keys) {
      try {
        PublicKey key = SigningKeys.readPublic(SigningKeys.textOf(k));
        byId.put(SigningKeys.keyId(key), key);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("scorer.models.trusted-keys: " + e.getMessage(), e);
      } catch (IOException e) {
        throw new UncheckedIOException("scorer.models.trusted-keys: cannot read " + k, e);
      }
    }
    return byId;
  }

  /** The routing of series to model names. */
  public SeriesRouter router(String defaultModel) {
    return new SeriesRouter(defaultModel, routes);
  }

  /** The configured input features per model name. */
  public Map<String, List<String>> expectedFeatures() {
    return expectedFeatures(features);
  }

  private static Map<String, List<String>> expectedFeatures(List<String> entries) {
    Map<String, List<String>> byModel = new HashMap<>();
    for (String e : entries) {
      String[] parts = e.split(":", 2);
      if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
        throw new IllegalArgumentException("scorer.models.features entry '" + e
            + "' is not MODEL:f1;f2");
      }
      byModel.put(parts[0].strip(), Arrays.stream(parts[1].split(";")).map(String::strip)
          .toList());
    }
    return byModel;
  }

  /** The configured policies per model name (pins and shadows). */
  public Map<String, ModelPolicy> policies() {
    return policies(pins, shadows);
  }

  private static Map<String, ModelPolicy> policies(List<String> pins, List<String> shadows) {
    Map<String, ModelPolicy> byModel = new HashMap<>();
    for (String e : pins) {
      String name = nameOf("pins", e);
      byModel.put(name, byModel.getOrDefault(name, ModelPolicy.followNewest(name))
          .withPin(versionOf("pins", e), 0, "config"));
    }
    for (String e : shadows) {
      String name = nameOf("shadows", e);
      byModel.put(name, byModel.getOrDefault(name, ModelPolicy.followNewest(name))
          .withShadow(versionOf("shadows", e), 0, "config"));
    }
    return byModel;
  }

  private static String nameOf(String setting, String entry) {
    int colon = entry.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("scorer.models." + setting + " entry '" + entry
          + "' is not MODEL:VERSION");
    }
    return entry.substring(0, colon).strip();
  }

  private static long versionOf(String setting, String entry) {
    try {
      long v = Long.parseLong(entry.substring(entry.lastIndexOf(':') + 1).strip());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("scorer.models." + setting + " entry '" + entry
          + "' is not MODEL:VERSION");
    }
  }
}
