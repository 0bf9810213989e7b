package dev.streamvae.evaluation.nab;

import java.time.LocalDateTime;
import java.util.Objects;

/**
 * One labelled anomaly window of a NAB file, both ends inclusive, as written in
 * {@code labels/combined_windows.json}.
 *
 * @param start first timestamp inside the window
 * @param end last timestamp inside the window
 */
public record AnomalyWindow(LocalDateTime start, LocalDateTime end) {

  /** Checks the order of the ends. */
  public AnomalyWindow {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("window ends (" + end + ") before it starts (" + start
          + ")");
    }
  }

  /** Whether {@code t} lies in the window, ends included (NAB's labelling rule). */
  public boolean contains(LocalDateTime t) {
    return !t.isBefore(start) && !t.isAfter(end);
  }
}
