package dev.streamvae.schemas;

import java.util.List;
import java.util.Objects;

/**
 * How a model normalises each feature before the network sees it; part of {@link ModelManifest}
 * (format 2). Informational: the payload holds the numbers the model actually uses, and the
 * bundle checks that the two agree.
 *
 * @param method the normalisation, e.g. {@code z-score}: {@code (x - mean) / std} per feature
 * @param means per-feature means, in feature order
 * @param stds per-feature standard deviations, in feature order
 */
public record Normalisation(String method, List<Double> means, List<Double> stds) {

  /** Validates the parts. */
  public Normalisation {
    Objects.requireNonNull(method, "method");
    means = List.copyOf(means);
    stds = List.copyOf(stds);
    if (means.size() != stds.size()) {
      throw new IllegalArgumentException("means and stds differ in length");
    }
  }
}
