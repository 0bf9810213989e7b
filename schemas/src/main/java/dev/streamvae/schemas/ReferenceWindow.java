package dev.streamvae.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param timestamp epoch milliseconds of the window's last record, from which a conditional
 *     model derives its condition; null for models that read the window alone (and in manifests
 *     written before conditional models existed)
 */
public record ReferenceWindow(List<Double> values,
    @JsonProperty(required = true) double logProbability,
    // Left out when null, so the manifests of unconditional models stay readable by scorers
    // whose strict decoder predates the field.
    @JsonInclude(JsonInclude.Include.NON_NULL) Long timestamp) {

  /** Validates the parts. */
  public ReferenceWindow {
    values = List.copyOf(values);
  }

  /** A reference window of a model that reads the window alone. */
  public ReferenceWindow(List<Double> values, double logProbability) {
    this(values, logProbability, null);
  }
}
