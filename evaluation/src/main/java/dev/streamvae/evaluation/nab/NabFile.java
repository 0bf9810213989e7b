package dev.streamvae.evaluation.nab;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Objects;

/**
 * One data file of the NAB corpus with its labels: the records in file order and the file's
 * anomaly windows. Immutable; the arrays handed out are copies.
 */
public final class NabFile {

  private final String relativePath;
  private final String[] timestampText;
  private final LocalDateTime[] timestamps;
  private final String[] valueText;
  private final double[] values;
  private final List<AnomalyWindow> windows;

  /**
   * @param relativePath path under {@code data/} with forward slashes, e.g.
   *     {@code realKnownCause/nyc_taxi.csv}, the key of the label files
   * @param timestampText timestamps as written in the file
   * @param timestamps the same, parsed
   * @param valueText values as written in the file
   * @param values the same, parsed
   * @param windows the file's anomaly windows, in time order
   */
  public NabFile(String relativePath, String[] timestampText, LocalDateTime[] timestamps,
      String[] valueText, double[] values, List<AnomalyWindow> windows) {
    this.relativePath = Objects.requireNonNull(relativePath, "relativePath");
    int n = timestamps.length;
    if (timestampText.length != n || valueText.length != n || values.length != n) {
      throw new IllegalArgumentException(relativePath + ": column lengths differ");
    }
    this.timestampText = timestampText.clone();
    this.timestamps = timestamps.clone();
    this.valueText = valueText.clone();
    this.values = values.clone();
    this.windows = List.copyOf(windows);
  }

  /** Path under {@code data/}, forward slashes. */
  public String relativePath() {
    return relativePath;
  }

  /** The folder under {@code data/}, e.g. {@code realKnownCause}; empty at the top. */
  public String category() {
    int slash = relativePath.lastIndexOf('/');
    return slash < 0 ? "" : relativePath.substring(0, slash);
  }

  /** The file name, e.g. {@code nyc_taxi.csv}. */
  public String fileName() {
    return relativePath.substring(relativePath.lastIndexOf('/') + 1);
  }

  /** Records in the file. */
  public int size() {
    return timestamps.length;
  }

  /** Timestamps as written. */
  public String[] timestampText() {
    return timestampText.clone();
  }

  /** Parsed timestamps. */
  public LocalDateTime[] timestamps() {
    return timestamps.clone();
  }

  /** Values as written. */
  public String[] valueText() {
    return valueText.clone();
  }

  /** Parsed values. */
  public double[] values() {
    return values.clone();
  }

  /** The anomaly windows, in time order. */
  public List<AnomalyWindow> windows() {
    return windows;
  }

  /** NAB's probationary period of this file. */
  public int probationaryLength() {
    return FileSweep.probationaryLength(size());
  }

  /**
   * NAB's per-record label (its {@code labeler.py getLabels}): 1 when the record's timestamp
   * lies in a window, ends included, else 0.
   */
  public int[] labels() {
    int[] labels = new int[size()];
    for (int i = 0; i < labels.length; i++) {
      for (AnomalyWindow w : windows) {
        if (w.contains(timestamps[i])) {
          labels[i] = 1;
          break;
        }
      }
    }
    return labels;
  }

  /** This file swept with a detector's anomaly scores. */
  public FileSweep sweep(double[] anomalyScores) {
    return FileSweep.of(relativePath, timestamps, anomalyScores, windows, probationaryLength());
  }
}
