package dev.streamvae.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a scorer's per-series surprise starts for a model; part of {@link ModelManifest} (null in
 * manifests from trainers before it). Each anomaly score {@code s} is put on a common scale,
 * {@code asinh((s - threshold) / scale)}; these are the moments of the model's training windows'
 * scores on that scale, in the form {@code dev.streamvae.vae.ScoreSurprise} keeps per series.
 *
 * @param scale the model's threshold minus its training scores' median (floored), positive
 * @param count training windows with a finite score
 * @param mean mean of their scaled scores
 * @param variance population variance of their scaled scores
 */
public record ScoreBaseline(
    @JsonProperty(required = true) double scale,
    @JsonProperty(required = true) long count,
    @JsonProperty(required = true) double mean,
    @JsonProperty(required = true) double variance) {

  /** Validates what a scorer relies on. */
  public ScoreBaseline {
    if (!(scale > 0) || Double.isInfinite(scale) || count < 0 || !Double.isFinite(mean)
        || !Double.isFinite(variance) || variance < 0) {
      throw new IllegalArgumentException("score baseline needs a positive finite scale, count"
          + " >= 0, a finite mean and a finite variance >= 0");
    }
  }
}
