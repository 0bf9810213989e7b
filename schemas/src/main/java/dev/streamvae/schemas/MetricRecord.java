package dev.streamvae.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
 * <p>{@code timestamp} is {@code @JsonProperty(required = true)}: otherwise Jackson decodes a
 * missing one as 0 instead of rejecting the record.
 *
 * @param series the series id, or {@code null} when only the key carries it
 * @param timestamp observation time, epoch milliseconds
 * @param values metric name to reading; never empty
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MetricRecord(
    String series, @JsonProperty(required = true) long timestamp, Map<String, Double> values) {

  /** Validates the invariants every consumer relies on. */
  public MetricRecord {
    Objects.requireNonNull(values, "values");
    if (values.isEmpty()) {
      throw new IllegalArgumentException("values must name at least one metric");
    }
    for (Map.Entry<String, Double> reading : values.entrySet()) {
      // NaN and infinities are readings (the scorer dead-letters them); null is not a reading.
      if (reading.getValue() == null) {
        throw new IllegalArgumentException("values." + reading.getKey() + " is null");
      }
    }
    values = java.util.Collections.unmodifiableMap(new TreeMap<>(values));
  }
}
