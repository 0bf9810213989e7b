package dev.streamvae.evaluation.nab;

import java.time.LocalDateTime;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * One file's records as NAB's sweeper sees them (its {@code calcSweepScore}): for each record
 * the detector's anomaly score, the unweighted scaled-sigmoid value a detection there would earn,
 * and the window it belongs to, if any. Profile weights are applied later, by
 * {@link NabScorer}, so one sweep serves all profiles.
 *
 * <p>The window bookkeeping follows NAB exactly, including its treatment of timestamps: a window
 * is entered at the first record, after the previous window, whose timestamp equals the window's
 * start and left after the first record whose timestamp equals its end; its width and right edge
 * are the positions of the first occurrences of those timestamps in the file. (Seven NAB files
 * repeat a timestamp, none inside a window.)
 *
 * <h2>Per-record value (NAB's {@code sweepScore}, unweighted)</h2>
 * <ul>
 *   <li>Inside a window of width {@code w} (records) whose last record is {@code r}: the relative
 *       position {@code y = -(r - i + 1) / w}, from -1 at the first record to {@code -1/w} at the
 *       last, and the value {@code S(y) = 2 sigmoid(-5y) - 1 = tanh(-2.5 y)}: 0.9866 at the
 *       start, falling towards 0 at the end. Weighted later by {@code tpWeight / S(-1)}, so a
 *       detection at the very start earns exactly {@code tpWeight}.</li>
 *   <li>After a window (width {@code w}, last record {@code r}) and before the next:
 *       {@code y = |r - i| / (w - 1)} and {@code S(y)}, negative: close to 0 just after the
 *       window, -0.9866 at one window width, and exactly -1 beyond {@code y > 3}. Weighted
 *       later by {@code fpWeight}.</li>
 *   <li>Before the first window of the file: -1 (NAB: "as if we were really far away from the
 *       nearest window"), so the full {@code -fpWeight}.</li>
 *   <li>Records inside the probationary period (the first {@link #probationaryLength} records)
 *       are not scorable at all: they are neither detections nor misses, and a window whose
 *       records all lie there counts for nothing.</li>
 * </ul>
 */
public final class FileSweep {

  /** {@link #window(int)} of a probationary record. */
  public static final int PROBATIONARY = -2;
  /** {@link #window(int)} of a scorable record outside every window. */
  public static final int OUTSIDE = -1;
  /** NAB's probationary fraction of each file. */
  public static final double PROBATIONARY_PERCENT = 0.15;

  private final String name;
  private final double[] anomalyScores;
  private final double[] unweighted;
  private final int[] window;
  private final boolean[] inside;
  private final int windowCount;
  private final boolean[] windowScorable;
  private final int probationaryLength;

  private FileSweep(String name, double[] anomalyScores, double[] unweighted, int[] window,
      boolean[] inside, int windowCount, boolean[] windowScorable, int probationaryLength) {
    this.name = name;
    this.anomalyScores = anomalyScores;
    this.unweighted = unweighted;
    this.window = window;
    this.inside = inside;
    this.windowCount = windowCount;
    this.windowScorable = windowScorable;
    this.probationaryLength = probationaryLength;
  }

  /**
   * NAB's probationary period of a file of {@code rows} records:
   * {@code min(floor(0.15 * rows), 0.15 * 5000)}, i.e. at most 750 records
   * ({@code nab/util.py getProbationPeriod}, {@code nab/sweeper.py}). Records with an index
   * {@code >=} this are scored.
   */
  public static int probationaryLength(int rows) {
    return probationaryLength(rows, PROBATIONARY_PERCENT);
  }

  /** NAB's probationary period for another fraction (NAB's runner always uses 0.15). */
  public static int probationaryLength(int rows, double probationPercent) {
    double length = Math.min(Math.floor(probationPercent * rows), probationPercent * 5000);
    return (int) Math.ceil(length);
  }

  /**
   * NAB's scaled sigmoid of a relative position: {@code 2 * sigmoid(-5 y) - 1}, which is
   * {@code tanh(-2.5 y)}, and exactly -1 for {@code y > 3}.
   */
  public static double scaledSigmoid(double relativePosition) {
    if (relativePosition > 3.0) {
      return -1.0;
    }
    return 2.0 / (1.0 + Math.exp(5.0 * relativePosition)) - 1.0;
  }

  /** {@code scaledSigmoid(-1)}, the value of a detection at the first record of a window. */
  public static final double MAX_TP = scaledSigmoid(-1.0);

  /**
   * Sweeps one file.
   *
   * @param name the file's name, for messages
   * @param timestamps one per record, in file order
   * @param anomalyScores the detector's score per record, each in [0, 1]
   * @param windows the file's windows, in time order, not overlapping; every start and end must
   *     be one of the timestamps
   * @param probationaryLength records at the start that are not scored
   * @throws IllegalArgumentException on a length mismatch, a score outside [0, 1] or a window
   *     whose ends are not timestamps of the file
   */
  public static FileSweep of(String name, LocalDateTime[] timestamps, double[] anomalyScores,
      List<AnomalyWindow> windows, int probationaryLength) {
    Objects.requireNonNull(name, "name");
    if (timestamps.length != anomalyScores.length) {
      throw new IllegalArgumentException(name + ": " + timestamps.length + " timestamps but "
          + anomalyScores.length + " anomaly scores");
    }
    checkScores(name, anomalyScores);
    int n = timestamps.length;
    for (AnomalyWindow w : windows) {
      if (indexOf(timestamps, w.start()) < 0 || indexOf(timestamps, w.end()) < 0) {
        throw new IllegalArgumentException(name + ": window " + w.start() + " .. " + w.end()
            + " does not start and end on timestamps of the file");
      }
    }
    double[] unweighted = new double[n];
    int[] window = new int[n];
    boolean[] inside = new boolean[n];
    boolean[] scorable = new boolean[windows.size()];
    Deque<AnomalyWindow> pending = new ArrayDeque<>(windows);

    AnomalyWindow current = null;
    int currentIndex = -1;
    int currentRight = -1;
    int currentWidth = -1;
    int previousRight = -1;
    int previousWidth = -1;
    int entered = 0;
    for (int i = 0; i < n; i++) {
      LocalDateTime t = timestamps[i];
      if (current == null && !pending.isEmpty() && t.equals(pending.peekFirst().start())) {
        current = pending.pollFirst();
        currentIndex = entered++;
        currentRight = indexOf(timestamps, current.end());
        currentWidth = currentRight - indexOf(timestamps, current.start()) + 1;
      }
      inside[i] = current != null;
      if (current != null) {
        double position = -(currentRight - i + 1) / (double) currentWidth;
        unweighted[i] = scaledSigmoid(position);
      } else if (previousRight < 0) {
        unweighted[i] = -1.0;
      } else {
        double position = Math.abs(previousRight - i) / (double) (previousWidth - 1);
        unweighted[i] = scaledSigmoid(position);
      }
      if (i >= probationaryLength) {
        window[i] = current == null ? OUTSIDE : currentIndex;
        if (current != null) {
          scorable[currentIndex] = true;
        }
      } else {
        window[i] = PROBATIONARY;
      }
      if (current != null && t.equals(current.end())) {
        previousRight = i;
        previousWidth = currentWidth;
        current = null;
      }
    }
    return new FileSweep(name, anomalyScores.clone(), unweighted, window, inside, entered,
        Arrays.copyOf(scorable, entered), probationaryLength);
  }

  /** The same file and windows with another detector's scores. */
  public FileSweep withScores(double[] scores) {
    if (scores.length != anomalyScores.length) {
      throw new IllegalArgumentException(name + ": " + anomalyScores.length + " records but "
          + scores.length + " anomaly scores");
    }
    checkScores(name, scores);
    return new FileSweep(name, scores.clone(), unweighted, window, inside, windowCount,
        windowScorable,
        probationaryLength);
  }

  private static void checkScores(String name, double[] scores) {
    for (int i = 0; i < scores.length; i++) {
      if (!(scores[i] >= 0 && scores[i] <= 1)) {
        throw new IllegalArgumentException(name + ": anomaly score " + scores[i] + " of record "
            + i + " is not in [0, 1]");
      }
    }
  }

  private static int indexOf(LocalDateTime[] timestamps, LocalDateTime t) {
    for (int i = 0; i < timestamps.length; i++) {
      if (timestamps[i].equals(t)) {
        return i;
      }
    }
    return -1;
  }

  /** The file's name. */
  public String name() {
    return name;
  }

  /** Records in the file. */
  public int size() {
    return anomalyScores.length;
  }

  /** The detector's anomaly score of record {@code i}. */
  public double anomalyScore(int i) {
    return anomalyScores[i];
  }

  /** The unweighted scaled-sigmoid value of a detection at record {@code i}. */
  public double unweightedScore(int i) {
    return unweighted[i];
  }

  /**
   * The value of a detection at record {@code i} under {@code profile} (NAB's weighted
   * {@code sweepScore}): {@code unweighted * tpWeight / S(-1)} inside a window,
   * {@code unweighted * fpWeight} outside.
   */
  public double weightedScore(int i, NabProfile profile) {
    return inside[i]
        ? unweighted[i] * profile.tpWeight() / MAX_TP
        : unweighted[i] * profile.fpWeight();
  }

  /** Whether record {@code i} lies inside a window (probationary records included). */
  public boolean isInsideWindow(int i) {
    return inside[i];
  }

  /** The window of record {@code i} (0-based, in file order), {@link #OUTSIDE} or
   * {@link #PROBATIONARY}. */
  public int window(int i) {
    return window[i];
  }

  /** Windows of the file (entered by the sweep). */
  public int windowCount() {
    return windowCount;
  }

  /** Whether window {@code w} has at least one scorable (post-probation) record. */
  public boolean isWindowScorable(int w) {
    return windowScorable[w];
  }

  /** Windows with at least one scorable record: those a detector can hit or miss. */
  public int scorableWindowCount() {
    int c = 0;
    for (boolean b : windowScorable) {
      c += b ? 1 : 0;
    }
    return c;
  }

  /** The first {@code probationaryLength()} records are not scored. */
  public int probationaryLength() {
    return probationaryLength;
  }
}
