package dev.streamvae.evaluation.detect;

import java.util.Objects;

/**
 * One series handed to a {@link Detector}: its records in time order, how many of the first
 * records form its training (NAB: probationary) period, and, where the source has them, the
 * records' timestamps.
 *
 * @param id a name for messages, e.g. the file's relative path
 * @param values {@code values[t][f]}: the reading of feature {@code f} at record {@code t}; every
 *     record has the same number of features, at least one
 * @param trainLength the first {@code trainLength} records are the detector's to learn from
 *     before it must start answering; between 0 and the number of records
 * @param timestamps epoch milliseconds of each record, read as UTC wall-clock time where the
 *     source gives no zone (NAB's files); null when the source has none that parse
 */
public record Series(String id, double[][] values, int trainLength, long[] timestamps) {

  /** A series without timestamps. */
  public Series(String id, double[][] values, int trainLength) {
    this(id, values, trainLength, null);
  }

  /** Checks the shape. */
  public Series {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(values, "values");
    if (trainLength < 0 || trainLength > values.length) {
      throw new IllegalArgumentException(id + ": trainLength " + trainLength + " outside [0, "
          + values.length + "]");
    }
    int features = values.length == 0 ? 1 : values[0].length;
    if (features < 1) {
      throw new IllegalArgumentException(id + ": records have no values");
    }
    if (timestamps != null && timestamps.length != values.length) {
      throw new IllegalArgumentException(id + ": " + timestamps.length + " timestamps for "
          + values.length + " records");
    }
    for (int t = 0; t < values.length; t++) {
      if (values[t] == null || values[t].length != features) {
        throw new IllegalArgumentException(id + ": record " + t + " does not have " + features
            + " values");
      }
    }
  }

  /** A univariate series without timestamps. */
  public static Series univariate(String id, double[] values, int trainLength) {
    return univariate(id, values, trainLength, null);
  }

  /** A univariate series with its records' timestamps (may be null). */
  public static Series univariate(String id, double[] values, int trainLength,
      long[] timestamps) {
    double[][] v = new double[values.length][];
    for (int t = 0; t < values.length; t++) {
      v[t] = new double[] {values[t]};
    }
    return new Series(id, v, trainLength, timestamps);
  }

  /** Records in the series. */
  public int size() {
    return values.length;
  }

  /** Values per record. */
  public int featureCount() {
    return values.length == 0 ? 1 : values[0].length;
  }
}
