package dev.streamvae.trainer;

import java.util.Map;

/**
 * One historical reading of a series, as read from Kafka or CSV.
 *
 * @param timestamp epoch milliseconds
 * @param values metric name to reading
 */
public record Observation(long timestamp, Map<String, Double> values) {

  /** Copies the values so the observation stays immutable. */
  public Observation {
    values = Map.copyOf(values);
  }
}
