package dev.streamvae.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * One input record as a scorer reads it: the series named in the value (or null), the
 * timestamp, the metric names in sorted order and their readings in the same order, without a
 * {@link MetricRecord}'s map of boxed values. Thread-safe to create; the readings array is the
 * caller's (not copied).
 *
 * <p>{@link #parse} accepts exactly the bytes {@link JsonCodec#metricRecord()} accepts, with the
 * same values, and refuses the others with the same message: Jackson's streaming parser reads
 * the usual shape of a record ({@code series} text or null, an integral {@code timestamp}, a
 * non-empty object of numeric {@code values}, each field once, nothing after the object); for
 * anything else it hands the bytes to the strict databind codec, which decides and explains. So
 * the bad-input catalogue ({@code docs/bad-input.md}) is the codec's, unchanged, and only well
 * formed records take the short path.
 */
public final class MetricReadings {

  private final String series;
  private final long timestamp;
  private final List<String> names;
  private final double[] values;

  private MetricReadings(String series, long timestamp, List<String> names, double[] values) {
    this.series = series;
    this.timestamp = timestamp;
    this.names = names;
    this.values = values;
  }

  /** The series named in the value, or null when only the key carries it. */
  public String series() {
    return series;
  }

  /** Observation time, epoch milliseconds. */
  public long timestamp() {
    return timestamp;
  }

  /** Metric names, sorted (as {@link MetricRecord#values()} orders them); never empty. */
  public List<String> names() {
    return names;
  }

  /** Number of readings. */
  public int size() {
    return values.length;
  }

  /** The reading of {@code names().get(i)}; may be NaN or infinite (the codec accepts those). */
  public double value(int i) {
    return values[i];
  }

  /**
   * Reads one input record.
   *
   * @throws SchemaException exactly when {@link JsonCodec#metricRecord()} would, with its message
   */
  public static MetricReadings parse(byte[] bytes) throws SchemaException {
    MetricReadings fast = bytes == null ? null : readUsualShape(bytes);
    return fast != null ? fast : of(JsonCodec.metricRecord().decode(bytes));
  }

  /** The readings of a decoded record. */
  public static MetricReadings of(MetricRecord record) {
    String[] names = record.values().keySet().toArray(new String[0]);
    double[] values = new double[names.length];
    for (int i = 0; i < names.length; i++) {
      values[i] = record.values().get(names[i]);
    }
    return new MetricReadings(record.series(), record.timestamp(), List.of(names), values);
  }

  /**
   * The streaming read of a well-formed record, or null to let the databind codec decide (on
   * anything unusual, valid or not, and on any error).
   */
  static MetricReadings readUsualShape(byte[] bytes) {
    try (JsonParser p = JsonCodec.createParser(bytes)) {
      // Duplicates are found below (flags for the three fields, neighbours after sorting the
      // names), without the parser's hash set per object.
      p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String series = null;
      boolean seenSeries = false;
      boolean seenTimestamp = false;
      long timestamp = 0;
      String[] names = null;
      double[] values = null;
      int count = 0;
      JsonToken token;
      while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "series" -> {
            if (seenSeries) {
              return null;
            }
            seenSeries = true;
            if (value == JsonToken.VALUE_STRING) {
              series = p.getText();
            } else if (value != JsonToken.VALUE_NULL) {
              return null;
            }
          }
          case "timestamp" -> {
            if (seenTimestamp || value != JsonToken.VALUE_NUMBER_INT
                || (p.getNumberType() != JsonParser.NumberType.INT
                    && p.getNumberType() != JsonParser.NumberType.LONG)) {
              return null;
            }
            seenTimestamp = true;
            timestamp = p.getLongValue();
          }
          case "values" -> {
            if (names != null || value != JsonToken.START_OBJECT) {
              return null;
            }
            names = new String[4];
            values = new double[4];
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              JsonToken reading = p.nextToken();
              if (reading != JsonToken.VALUE_NUMBER_FLOAT
                  && reading != JsonToken.VALUE_NUMBER_INT) {
                // Quoted "NaN", nulls, text and the rest: the codec's rules decide.
                return null;
              }
              if (count == names.length) {
                names = Arrays.copyOf(names, count * 2);
                values = Arrays.copyOf(values, count * 2);
              }
              names[count] = name;
              values[count] = p.getDoubleValue();
              count++;
            }
            if (p.currentToken() != JsonToken.END_OBJECT || count == 0) {
              return null;
            }
          }
          default -> {
            return null;
          }
        }
      }
      if (token != JsonToken.END_OBJECT || !seenTimestamp || names == null
          || p.nextToken() != null) {
        return null;
      }
      // Sorted as the codec's TreeMap sorts: insertion sort, as records carry a few metrics.
      for (int i = 1; i < count; i++) {
        String name = names[i];
        double reading = values[i];
        int j = i - 1;
        while (j >= 0 && names[j].compareTo(name) > 0) {
          names[j + 1] = names[j];
          values[j + 1] = values[j];
          j--;
        }
        if (j >= 0 && names[j].equals(name)) {
          return null;
        }
        names[j + 1] = name;
        values[j + 1] = reading;
      }
      return new MetricReadings(series, timestamp, List.of(Arrays.copyOf(names, count)),
          count == values.length ? values : Arrays.copyOf(values, count));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
