package dev.streamvae.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One observation of a metric series: the input record on the {@code metrics} topic.
 *
 * <p>The Kafka key is the series id. {@code series} in the value is optional; when present it
 * must equal the key. {@code values} holds one or more named numeric readings taken at
 * {@code timestamp} (epoch milliseconds); a multivariate series carries several names.
 *
 * @param series the series id, or {@code null} when only the key carries it
 * @param timestamp observation time, epoch milliseconds
 * @param values metric name to reading; never empty
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MetricRecord(String series, long timestamp, Map<String, Double> values) {

  /** Validates the invariants every consumer relies on. */
  public MetricRecord {
    Objects.requireNonNull(values, "values");
    if (values.isEmpty()) {
      throw new IllegalArgumentException("values must name at least one metric");
    }
    values = java.util.Collections.unmodifiableMap(new TreeMap<>(values));
  }
}
