package dev.streamvae.scorer;

import io.micronaut.runtime.Micronaut;

/** Starts the scorer service. */
public final class ScorerApplication {

  private ScorerApplication() {}

  /** Runs the service until it is stopped. */
  public static void main(String[] args) {
    Micronaut.run(ScorerApplication.class, args);
  }
}
