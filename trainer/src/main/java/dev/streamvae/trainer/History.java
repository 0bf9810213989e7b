package dev.streamvae.trainer;

import dev.streamvae.vae.TrainingSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Historical observations grouped by series, each series sorted by time. Built once by a
 * {@link HistorySource}; immutable afterwards.
 */
public final class History {

  private final Map<String, List<Observation>> series;
  private final long skippedRecords;

  private History(Map<String, List<Observation>> series, long skippedRecords) {
    this.series = series;
    this.skippedRecords = skippedRecords;
  }

  /** Collects observations; not thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /** Series id to its observations in time order. */
  public Map<String, List<Observation>> series() {
    return series;
  }

  /** Records the source could not use (undecodable, wrong key), reported to the user. */
  public long skippedRecords() {
    return skippedRecords;
  }

  /** Total observations across series. */
  public long observationCount() {
    return series.values().stream().mapToLong(List::size).sum();
  }

  /**
   * The metric names present in every observation, sorted: what a model of this history can
   * read.
   */
  public List<String> commonFeatures() {
    SortedSet<String> common = null;
    for (List<Observation> observations : series.values()) {
      for (Observation o : observations) {
        if (common == null) {
          common = new TreeSet<>(o.values().keySet());
        } else {
          common.retainAll(o.values().keySet());
        }
      }
    }
    return common == null ? List.of() : List.copyOf(common);
  }

  /**
   * Sliding windows over every series for the given features.
   *
   * @throws IllegalArgumentException when an observation lacks a feature, or no series is as long
   *     as one window
   */
  public TrainingSet toTrainingSet(List<String> features, int windowLength, int stride) {
    return toTrainingSet(features, windowLength, stride, 0);
  }

  /**
   * As {@link #toTrainingSet(List, int, int)}; with {@code maxMissing > 0} a record lacking one
   * of the features gets NaN there instead of failing, and windows with at most
   * {@code maxMissing} such values are kept for the trainer to mask ({@link
   * dev.streamvae.vae.VaeConfig#maxMissing()}).
   */
  public TrainingSet toTrainingSet(List<String> features, int windowLength, int stride,
      int maxMissing) {
    TrainingSet.Builder builder = TrainingSet.builder(features, windowLength, stride)
        .maxMissing(maxMissing);
    for (Map.Entry<String, List<Observation>> entry : series.entrySet()) {
      List<Observation> observations = entry.getValue();
      long[] timestamps = new long[observations.size()];
      double[][] values = new double[observations.size()][features.size()];
      for (int t = 0; t < observations.size(); t++) {
        Observation o = observations.get(t);
        timestamps[t] = o.timestamp();
        for (int f = 0; f < features.size(); f++) {
          Double v = o.values().get(features.get(f));
          if (v == null && maxMissing == 0) {
            throw new IllegalArgumentException("series '" + entry.getKey() + "' has no value for '"
                + features.get(f) + "' at " + o.timestamp());
          }
          values[t][f] = v == null ? Double.NaN : v;
        }
      }
      builder.addSeries(entry.getKey(), timestamps, values);
    }
    return builder.build();
  }

  /** The earliest and latest timestamps, or null when there are no observations. */
  public long[] timeSpan() {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (List<Observation> list : series.values()) {
      if (!list.isEmpty()) {
        min = Math.min(min, list.get(0).timestamp());
        max = Math.max(max, list.get(list.size() - 1).timestamp());
      }
    }
    return min > max ? null : new long[] {min, max};
  }

  /** The observations before {@code cut} (exclusive) or from it on, per series. */
  public History split(long cut, boolean before) {
    Builder b = builder();
    series.forEach((id, list) -> list.stream()
        .filter(o -> before == o.timestamp() < cut).forEach(o -> b.add(id, o)));
    b.skipped = skippedRecords;
    return b.build();
  }

  /** Accumulates observations in any order; {@link #build()} sorts each series by time. */
  public static final class Builder {
    private final Map<String, List<Observation>> series = new TreeMap<>();
    private long skipped;

    private Builder() {}

    /** Adds one observation of a series. */
    public Builder add(String seriesId, Observation observation) {
      series.computeIfAbsent(seriesId, k -> new ArrayList<>()).add(observation);
      return this;
    }

    /** Counts a record the source could not use. */
    public Builder skip() {
      skipped++;
      return this;
    }

    /** Sorts each series by timestamp (stable, so equal timestamps keep arrival order). */
    public History build() {
      Map<String, List<Observation>> sorted = new LinkedHashMap<>();
      series.forEach((id, list) -> {
        List<Observation> copy = new ArrayList<>(list);
        copy.sort(Comparator.comparingLong(Observation::timestamp));
        sorted.put(id, List.copyOf(copy));
      });
      return new History(java.util.Collections.unmodifiableMap(sorted), skipped);
    }
  }
}
