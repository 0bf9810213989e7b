package dev.streamvae.evaluation.nab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * NAB's scoring, over one or more files swept by {@link FileSweep}: the score at a threshold, the
 * threshold sweep ({@code nab/sweeper.py calcScoreByThreshold}), the corpus-wide optimisation of
 * one threshold per detector and profile ({@code nab/optimizer.py}) and the normalisation
 * ({@code nab/runner.py normalize}).
 *
 * <h2>Score at a threshold</h2>
 * A record is a detection when its anomaly score is {@code >= threshold}. Each window starts at
 * {@code -fnWeight} and takes the largest weighted value of its detections instead, which is its
 * earliest detection since the value falls through the window; so a window scores once, however
 * many detections it holds. Every detection outside the windows adds its own (negative) weighted
 * value. The file's score is the sum of its windows' and its false positives' values; a corpus's
 * score is the sum over its files.
 *
 * <h2>Sweep and optimisation</h2>
 * All scorable records of all files are sorted by anomaly score, descending; walking down, each
 * distinct score is a candidate threshold. The first candidate is 1.1 (no detection, every window
 * missed). The optimiser keeps the candidate with the highest corpus score; among equal scores the
 * highest threshold, which is what NAB's stable sort keeps.
 *
 * <h2>Normalisation</h2>
 * {@code 100 * (raw - null) / (perfect - null)}, where {@code null} is the optimised raw score of
 * a detector that emits one constant score (NAB's null detector; its best is to detect nothing,
 * so {@code -fnWeight} per window) and {@code perfect} is {@code tpWeight} per window of the
 * label file (NAB counts the windows of {@code combined_windows.json}; here, of the files
 * evaluated), which is what a detector scoring 1 at the first record of every window and 0
 * elsewhere earns.
 */
public final class NabScorer {

  /** NAB's first candidate threshold, above every score: no detection. */
  public static final double NO_DETECTION_THRESHOLD = 1.1;

  private NabScorer() {}

  /**
   * The score of every candidate threshold over the given files, highest threshold first.
   */
  public static List<ThresholdScore> scoresByThreshold(List<FileSweep> files,
      NabProfile profile) {
    int total = 0;
    int windows = 0;
    for (FileSweep f : files) {
      for (int i = 0; i < f.size(); i++) {
        total += f.window(i) == FileSweep.PROBATIONARY ? 0 : 1;
      }
      windows += f.windowCount();
    }
    double[] score = new double[total];
    double[] value = new double[total];
    int[] window = new int[total];
    int k = 0;
    int windowOffset = 0;
    double[] windowPart = new double[windows];
    boolean[] counted = new boolean[windows];
    for (FileSweep f : files) {
      for (int i = 0; i < f.size(); i++) {
        int w = f.window(i);
        if (w == FileSweep.PROBATIONARY) {
          continue;
        }
        score[k] = f.anomalyScore(i);
        value[k] = f.weightedScore(i, profile);
        window[k] = w == FileSweep.OUTSIDE ? -1 : windowOffset + w;
        k++;
      }
      for (int w = 0; w < f.windowCount(); w++) {
        counted[windowOffset + w] = f.isWindowScorable(w);
      }
      windowOffset += f.windowCount();
    }
    double windowSum = 0;
    for (int w = 0; w < windows; w++) {
      if (counted[w]) {
        windowPart[w] = -profile.fnWeight();
        windowSum += windowPart[w];
      }
    }
    long tn = 0;
    long fn = 0;
    for (int w : window) {
      if (w < 0) {
        tn++;
      } else {
        fn++;
      }
    }
    long tp = 0;
    long fp = 0;
    Integer[] order = new Integer[total];
    for (int i = 0; i < total; i++) {
      order[i] = i;
    }
    // Stable: equal scores keep file order, as Python's sorted does.
    Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));

    List<ThresholdScore> result = new ArrayList<>();
    double fpSum = 0;
    double current = NO_DETECTION_THRESHOLD;
    for (int idx : order) {
      if (score[idx] != current) {
        result.add(new ThresholdScore(current, fpSum + windowSum, tp, tn, fp, fn, total));
        current = score[idx];
      }
      int w = window[idx];
      if (w < 0) {
        fp++;
        tn--;
        fpSum += value[idx];
      } else {
        tp++;
        fn--;
        if (value[idx] > windowPart[w]) {
          windowSum += value[idx] - windowPart[w];
          windowPart[w] = value[idx];
        }
      }
    }
    result.add(new ThresholdScore(current, fpSum + windowSum, tp, tn, fp, fn, total));
    return result;
  }

  /** The candidate threshold with the highest score (the highest threshold among ties). */
  public static ThresholdScore optimise(List<FileSweep> files, NabProfile profile) {
    ThresholdScore best = null;
    for (ThresholdScore s : scoresByThreshold(files, profile)) {
      if (best == null || s.score() > best.score()) {
        best = s;
      }
    }
    return best;
  }

  /**
   * The score of one file (or several) at a fixed threshold: detections are the scorable records
   * with anomaly score {@code >= threshold}.
   */
  public static ThresholdScore scoreAt(List<FileSweep> files, NabProfile profile,
      double threshold) {
    double fpSum = 0;
    double windowSum = 0;
    long tp = 0;
    long tn = 0;
    long fp = 0;
    long fn = 0;
    for (FileSweep f : files) {
      double[] part = new double[f.windowCount()];
      Arrays.fill(part, -profile.fnWeight());
      for (int i = 0; i < f.size(); i++) {
        int w = f.window(i);
        if (w == FileSweep.PROBATIONARY) {
          continue;
        }
        boolean detected = f.anomalyScore(i) >= threshold;
        if (w == FileSweep.OUTSIDE) {
          if (detected) {
            fp++;
            fpSum += f.weightedScore(i, profile);
          } else {
            tn++;
          }
        } else if (detected) {
          tp++;
          part[w] = Math.max(part[w], f.weightedScore(i, profile));
        } else {
          fn++;
        }
      }
      for (int w = 0; w < part.length; w++) {
        if (f.isWindowScorable(w)) {
          windowSum += part[w];
        }
      }
    }
    return new ThresholdScore(threshold, fpSum + windowSum, tp, tn, fp, fn, tp + tn + fp + fn);
  }

  /** {@link #scoreAt(List, NabProfile, double)} of one file. */
  public static ThresholdScore scoreAt(FileSweep file, NabProfile profile, double threshold) {
    return scoreAt(List.of(file), profile, threshold);
  }

  /** The optimised raw score of NAB's null detector (one constant score everywhere). */
  public static double nullScore(List<FileSweep> files, NabProfile profile) {
    List<FileSweep> constant = new ArrayList<>(files.size());
    for (FileSweep f : files) {
      constant.add(f.withScores(new double[f.size()]));
    }
    return optimise(constant, profile).score();
  }

  /** NAB's perfect score: {@code tpWeight} per window. */
  public static double perfectScore(List<FileSweep> files, NabProfile profile) {
    long windows = 0;
    for (FileSweep f : files) {
      windows += f.windowCount();
    }
    return windows * profile.tpWeight();
  }

  /** Windows (with scorable records) holding at least one detection at {@code threshold}. */
  public static int windowsDetected(FileSweep file, double threshold) {
    boolean[] hit = new boolean[file.windowCount()];
    for (int i = 0; i < file.size(); i++) {
      int w = file.window(i);
      if (w >= 0 && file.anomalyScore(i) >= threshold) {
        hit[w] = true;
      }
    }
    int count = 0;
    for (boolean b : hit) {
      count += b ? 1 : 0;
    }
    return count;
  }

  /** {@code 100 * (raw - nullScore) / (perfect - nullScore)}. */
  public static double normalise(double raw, double nullScore, double perfect) {
    if (!(perfect > nullScore)) {
      throw new IllegalArgumentException("perfect score " + perfect + " is not above the null"
          + " score " + nullScore + " (no anomaly window to find?)");
    }
    return 100.0 * (raw - nullScore) / (perfect - nullScore);
  }
}
