package dev.streamvae.trainer;

import dev.streamvae.vae.VaeConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one training run needs, validated at construction.
 *
 * @param source where the history comes from
 * @param modelName the model's name (the models topic key)
 * @param features metric names to model, in order; empty means every metric common to the whole
 *     history, sorted by name
 * @param stride step between training windows, in records
 * @param vae the network and training settings; its feature count is replaced by the features'
 * @param bundleFile where to write the bundle, or {@code null}; {@code {name}} and
 *     {@code {version}} in it are replaced by the model's name and version
 * @param publishTo where to publish the bundle, or {@code null} to only write the file
 */
public record TrainingRequest(
    HistorySource source,
    String modelName,
    List<String> features,
    int stride,
    VaeConfig vae,
    String bundleFile,
    PublishTarget publishTo) {

  /** Validates the request. */
  public TrainingRequest {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(vae, "vae");
    features = features == null ? List.of() : List.copyOf(features);
    if (modelName == null || modelName.isBlank()) {
      throw new IllegalArgumentException("a model name is required");
    }
    if (stride < 1) {
      throw new IllegalArgumentException("stride must be at least 1, was " + stride);
    }
    if (bundleFile == null && publishTo == null) {
      throw new IllegalArgumentException("nothing to do: give a bundle file, a models topic, or both");
    }
  }

  /** The bundle file for a version, or null when none is to be written. */
  public Path bundleFileFor(long version) {
    return bundleFile == null ? null : Path.of(bundleFile.replace("{name}", modelName)
        .replace("{version}", Long.toString(version)));
  }

  /**
   * A models topic on a cluster.
   *
   * @param clientProperties Kafka client settings (bootstrap servers, security)
   * @param topic the models topic
   */
  public record PublishTarget(Map<String, Object> clientProperties, String topic) {

    /** Validates the target. */
    public PublishTarget {
      clientProperties = Map.copyOf(clientProperties);
      Objects.requireNonNull(topic, "topic");
    }
  }
}
