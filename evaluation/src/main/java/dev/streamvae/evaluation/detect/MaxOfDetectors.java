package dev.streamvae.evaluation.detect;

import java.util.List;
import java.util.Objects;

/**
 * Several detectors as one: each record's score is the largest of theirs. Used to pair models
 * that see different things (a VAE of centred windows sees shapes, one of raw windows sees
 * levels), so that an anomaly either of them sees is seen. Causal when every part is.
 */
public final class MaxOfDetectors implements Detector {

  private final String name;
  private final List<Detector> parts;

  /** One detector named {@code name} from {@code parts} (at least one). */
  public MaxOfDetectors(String name, List<Detector> parts) {
    this.name = Objects.requireNonNull(name, "name");
    this.parts = List.copyOf(parts);
    if (this.parts.isEmpty()) {
      throw new IllegalArgumentException("no detectors to combine");
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public double[] detect(Series series) {
    double[] out = null;
    for (Detector part : parts) {
      double[] scores = part.detect(series);
      if (out == null) {
        out = scores.clone();
      } else {
        for (int t = 0; t < out.length; t++) {
          out[t] = Math.max(out[t], scores[t]);
        }
      }
    }
    return out;
  }
}
