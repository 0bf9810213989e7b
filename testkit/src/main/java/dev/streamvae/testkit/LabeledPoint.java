package dev.streamvae.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One generated observation with its ground truth, as produced by {@link SyntheticMetrics}.
 *
 * @param series the series id, e.g. {@code series-0}
 * @param timestamp observation time, epoch milliseconds
 * @param values feature name to value, in the generator's feature order
 * @param anomaly whether an anomaly was injected into this point
 * @param anomalyKind {@link #SPIKE}, {@link #LEVEL_SHIFT}, or {@code null} for a normal point
 */
public record LabeledPoint(
    String series, long timestamp, Map<String, Double> values, boolean anomaly,
    String anomalyKind) {

  /** Kind of a single point pushed far off the pattern. */
  public static final String SPIKE = "spike";

  /** Kind of a run of consecutive points moved by a constant offset. */
  public static final String LEVEL_SHIFT = "level-shift";

  /** Checks that the label and the kind agree. */
  public LabeledPoint {
    Objects.requireNonNull(series, "series");
    Objects.requireNonNull(values, "values");
    if (anomaly != (anomalyKind != null)) {
      throw new IllegalArgumentException("an anomalous point needs a kind, a normal one none");
    }
    if (anomalyKind != null && !SPIKE.equals(anomalyKind) && !LEVEL_SHIFT.equals(anomalyKind)) {
      throw new IllegalArgumentException("unknown anomaly kind " + anomalyKind);
    }
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }
}
