package dev.streamvae.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One training window and the score the trainer computed for it; part of {@link ModelManifest}
 * (format 2). A scorer reproduces these scores with the loaded model before activating it, so a
 * payload that decodes but computes something else (another backend, a damaged weight, a wrong
 * normaliser) is caught before it scores anything.
 *
 * @param values the raw window, time-major, {@code windowLength * features} values
 * @param logProbability the trainer's reconstruction log-probability of the window
 */
public record ReferenceWindow(List<Double> values,
    @JsonProperty(required = true) double logProbability) {

  /** Validates the parts. */
  public ReferenceWindow {
    values = List.copyOf(values);
  }
}
