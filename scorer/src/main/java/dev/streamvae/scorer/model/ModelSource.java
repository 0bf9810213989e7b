package dev.streamvae.scorer.model;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Tells the topology which model scores a series right now. Implementations must be safe to call
 * from any thread and cheap (they are asked once per record and per batch).
 */
public interface ModelSource {

  /** The model name that scores {@code series}, or empty when no route matches it. */
  Optional<String> route(String series);

  /** The active model of a name, or empty before its first valid version. */
  Optional<ActiveModel> active(String modelName);

  /** The candidate scored beside the active model for comparison, if the name has one. */
  default Optional<ActiveModel> shadow(String modelName) {
    return Optional.empty();
  }

  /** No route for any series: every record is answered NO_MODEL. */
  static ModelSource none() {
    return new ModelSource() {
      @Override
      public Optional<String> route(String series) {
        return Optional.empty();
      }

      @Override
      public Optional<ActiveModel> active(String modelName) {
        return Optional.empty();
      }
    };
  }

  /** One model name serving every series, for tests and tools. */
  static ModelSource single(String modelName, Supplier<Optional<ActiveModel>> active) {
    return new ModelSource() {
      @Override
      public Optional<String> route(String series) {
        return Optional.of(modelName);
      }

      @Override
      public Optional<ActiveModel> active(String name) {
        return modelName.equals(name) ? active.get() : Optional.empty();
      }
    };
  }
}
