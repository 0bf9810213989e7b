package dev.streamvae.vae;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Sliding training windows cut from one or more series, plus what a manifest needs to say about
 * them (series count, time range). Windows are raw (unnormalised) and flattened time-major: row
 * {@code [t0f0, t0f1, ..., t(W-1)f(F-1)]}, length {@code W * F}, the same layout
 * {@link AnomalyModel#score(float[][])} reads.
 *
 * <p>Windows start at offsets {@code 0, stride, 2*stride, ...} of each series and never span two
 * series. A series shorter than the window contributes nothing. A window that contains a
 * non-finite value (NaN, infinity) is skipped, so gaps in the history cost only the windows that
 * touch them; unless the builder allows {@link Builder#maxMissing(int) missing values}, in which
 * case a window with at most that many keeps them, as NaN, for the trainer to mask. {@link #seriesCount()}, {@link #dataFrom()} and {@link #dataTo()} describe the
 * windows actually kept, not every series offered.
 */
public final class TrainingSet {

  private final List<String> features;
  private final int windowLength;
  private final int stride;
  private final float[][] windows;
  private final long[] windowEnds;
  private final int seriesCount;
  private final List<String> seriesIds;
  private final long dataFrom;
  private final long dataTo;

  private TrainingSet(Builder b) {
    this.features = b.features;
    this.windowLength = b.windowLength;
    this.stride = b.stride;
    this.windows = b.windows.toArray(new float[0][]);
    this.windowEnds = b.windowEnds.stream().mapToLong(Long::longValue).toArray();
    this.seriesCount = b.contributingSeries;
    this.seriesIds = List.copyOf(b.contributingIds);
    this.dataFrom = b.dataFrom;
    this.dataTo = b.dataTo;
  }

  /**
   * A builder for windows of the given features.
   *
   * @param features metric names, in the order of the value columns
   * @param windowLength records per window W, at least 1
   * @param stride step between window starts, at least 1
   */
  public static Builder builder(List<String> features, int windowLength, int stride) {
    return new Builder(features, windowLength, stride);
  }

  /** Metric names, in column order. */
  public List<String> features() {
    return features;
  }

  /** Records per window W. */
  public int windowLength() {
    return windowLength;
  }

  /** Step between window starts. */
  public int stride() {
    return stride;
  }

  /** Number of windows kept. */
  public int windowCount() {
    return windows.length;
  }

  /** Series that contributed at least one window. */
  public int seriesCount() {
    return seriesCount;
  }

  /** Ids of the series that contributed at least one window, in the order they were added. */
  public List<String> seriesIds() {
    return seriesIds;
  }

  /** Earliest timestamp inside a kept window, epoch milliseconds. */
  public long dataFrom() {
    return dataFrom;
  }

  /** Latest timestamp inside a kept window, epoch milliseconds. */
  public long dataTo() {
    return dataTo;
  }

  /** A copy of the raw windows, one row of length {@code W * F} per window. */
  public float[][] windows() {
    float[][] copy = new float[windows.length][];
    for (int i = 0; i < windows.length; i++) {
      copy[i] = windows[i].clone();
    }
    return copy;
  }

  /**
   * The timestamp of each window's last record (the record a scorer would score with it), epoch
   * milliseconds, in the order of {@link #windows()}: what a conditional model's condition is
   * derived from.
   */
  public long[] windowEnds() {
    return windowEnds.clone();
  }

  long[] windowEndsUnsafe() {
    return windowEnds;
  }

  /** The windows without copying; callers inside the package must not modify them. */
  float[][] windowsUnsafe() {
    return windows;
  }

  /** Collects series and cuts them into windows as they are added. Not thread-safe. */
  public static final class Builder {
    private final List<String> features;
    private final int windowLength;
    private final int stride;
    private final List<float[]> windows = new ArrayList<>();
    private final List<Long> windowEnds = new ArrayList<>();
    private final Set<String> seriesIds = new HashSet<>();
    private int contributingSeries;
    private final List<String> contributingIds = new ArrayList<>();
    private long dataFrom = Long.MAX_VALUE;
    private long dataTo = Long.MIN_VALUE;
    private int maxMissing;

    private Builder(List<String> features, int windowLength, int stride) {
      Objects.requireNonNull(features, "features");
      if (features.isEmpty()) {
        throw new IllegalArgumentException("features must not be empty");
      }
      if (new HashSet<>(features).size() != features.size()) {
        throw new IllegalArgumentException("features must be distinct, were " + features);
      }
      if (windowLength < 1) {
        throw new IllegalArgumentException("windowLength must be >= 1, was " + windowLength);
      }
      if (stride < 1) {
        throw new IllegalArgumentException("stride must be >= 1, was " + stride);
      }
      this.features = List.copyOf(features);
      this.windowLength = windowLength;
      this.stride = stride;
    }

    /**
     * Keeps windows with up to this many non-finite values (stored as NaN), for a model trained
     * with the same {@link VaeConfig#maxMissing()}; 0 (the default) skips any such window. Set
     * before adding series.
     */
    public Builder maxMissing(int value) {
      if (value < 0) {
        throw new IllegalArgumentException("maxMissing must be >= 0, was " + value);
      }
      this.maxMissing = value;
      return this;
    }

    /**
     * Cuts one series into windows.
     *
     * @param seriesId the series' name; each may be added once
     * @param timestamps epoch milliseconds, non-decreasing, one per record
     * @param values {@code values[t][f]}: raw reading of feature f at record t
     * @throws IllegalArgumentException on a repeated series id, mismatched lengths, a record
     *     with the wrong number of features, or timestamps out of order
     */
    public Builder addSeries(String seriesId, long[] timestamps, double[][] values) {
      Objects.requireNonNull(seriesId, "seriesId");
      Objects.requireNonNull(timestamps, "timestamps");
      Objects.requireNonNull(values, "values");
      if (!seriesIds.add(seriesId)) {
        throw new IllegalArgumentException("series '" + seriesId + "' added twice");
      }
      if (timestamps.length != values.length) {
        throw new IllegalArgumentException("series '" + seriesId + "': " + timestamps.length
            + " timestamps but " + values.length + " records");
      }
      int featureCount = features.size();
      int[] missing = new int[values.length];
      for (int t = 0; t < values.length; t++) {
        if (values[t] == null || values[t].length != featureCount) {
          throw new IllegalArgumentException("series '" + seriesId + "': record " + t + " has "
              + (values[t] == null ? "no" : String.valueOf(values[t].length))
              + " values, expected " + featureCount);
        }
        if (t > 0 && timestamps[t] < timestamps[t - 1]) {
          throw new IllegalArgumentException("series '" + seriesId
              + "': timestamps not in order at record " + t);
        }
        for (double v : values[t]) {
          // A value beyond float range would become infinite in the float windows.
          missing[t] += usable(v) ? 0 : 1;
        }
      }
      // A prefix count of non-finite values answers "how many in [s, s+W)?" in O(1).
      int[] badPrefix = new int[values.length + 1];
      for (int t = 0; t < values.length; t++) {
        badPrefix[t + 1] = badPrefix[t] + missing[t];
      }
      int added = 0;
      for (int start = 0; start + windowLength <= values.length; start += stride) {
        if (badPrefix[start + windowLength] - badPrefix[start] > maxMissing) {
          continue;
        }
        float[] row = new float[windowLength * featureCount];
        for (int t = 0; t < windowLength; t++) {
          for (int f = 0; f < featureCount; f++) {
            double v = values[start + t][f];
            row[t * featureCount + f] = usable(v) ? (float) v : Float.NaN;
          }
        }
        windows.add(row);
        windowEnds.add(timestamps[start + windowLength - 1]);
        dataFrom = Math.min(dataFrom, timestamps[start]);
        dataTo = Math.max(dataTo, timestamps[start + windowLength - 1]);
        added++;
      }
      if (added > 0) {
        contributingSeries++;
        contributingIds.add(seriesId);
      }
      return this;
    }

    private static boolean usable(double v) {
      return Double.isFinite(v) && Math.abs(v) <= Float.MAX_VALUE;
    }

    /**
     * The training set.
     *
     * @throws IllegalArgumentException when no series yielded a single window
     */
    public TrainingSet build() {
      if (windows.isEmpty()) {
        throw new IllegalArgumentException("no training window: " + seriesIds.size()
            + " series, none with " + windowLength + " consecutive finite records");
      }
      return new TrainingSet(this);
    }
  }
}
