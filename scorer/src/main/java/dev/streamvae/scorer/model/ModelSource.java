package dev.streamvae.scorer.model;

import java.util.Optional;

/** Gives the model to score with right now. Implementations must be safe to call from any thread. */
@FunctionalInterface
public interface ModelSource {

  /** The active model, or empty before the first valid model arrives. */
  Optional<ActiveModel> current();
}
