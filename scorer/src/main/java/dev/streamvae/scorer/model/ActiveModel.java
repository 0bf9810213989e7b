package dev.streamvae.scorer.model;

import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.vae.AnomalyModel;
import java.time.Instant;
import java.util.Objects;

/**
 * A fully loaded, verified model and when it became active. Immutable: the registry swaps one
 * instance for another, so a batch scored with an instance sees one model throughout.
 *
 * @param model the loaded model
 * @param manifest its metadata
 * @param activatedAt when it started serving
 */
public record ActiveModel(AnomalyModel model, ModelManifest manifest, Instant activatedAt) {

  /** Validates the pairing. */
  public ActiveModel {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(activatedAt, "activatedAt");
  }

  /** The model's name. */
  public String name() {
    return manifest.modelName();
  }

  /** The model's version. */
  public long version() {
    return manifest.version();
  }
}
