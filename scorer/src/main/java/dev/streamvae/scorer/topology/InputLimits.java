package dev.streamvae.scorer.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on one input record, so that a hostile or broken producer cannot make a series' state
 * (window capacity x metrics x 4 bytes, kept per series and per queued record) or the
 * dead-letter topic grow without limit, nor poison a series with a far-future timestamp.
 * Validated at construction.
 *
 * @param maxRecordBytes largest key plus value accepted; larger records are dead-lettered with
 *     their payload cut to this size
 * @param maxFeatures most metrics one record may carry
 * @param maxFutureSkew how far ahead of the scorer's clock a timestamp may be
 */
public record InputLimits(int maxRecordBytes, int maxFeatures, Duration maxFutureSkew) {

  /** 64 KiB per record, 64 metrics, timestamps at most one day ahead. */
  public static final InputLimits DEFAULTS = new InputLimits(64 * 1024, 64, Duration.ofDays(1));

  /** Validates the limits. */
  public InputLimits {
    Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    if (maxRecordBytes < 256 || maxRecordBytes > 16 * 1024 * 1024) {
      throw new IllegalArgumentException("maxRecordBytes must be in [256, 16 MiB], was "
          + maxRecordBytes);
    }
    if (maxFeatures < 1 || maxFeatures > 4096) {
      throw new IllegalArgumentException("maxFeatures must be in [1, 4096], was " + maxFeatures);
    }
    if (maxFutureSkew.isNegative()) {
      throw new IllegalArgumentException("maxFutureSkew must not be negative, was "
          + maxFutureSkew);
    }
  }
}
