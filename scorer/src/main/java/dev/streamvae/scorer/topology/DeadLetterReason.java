package dev.streamvae.scorer.topology;

/**
 * Why a record went to the dead-letter topic; the {@link #code()} is the value of the
 * {@value #HEADER_REASON} header, and a one-line {@value #HEADER_DETAIL} header says more.
 */
public enum DeadLetterReason {
  /**
   * The record has no key, or an empty or blank one; records must be keyed by series id so a
   * series stays on one task.
   */
  MISSING_KEY("missing-key"),
  /**
   * The key is not valid UTF-8 text: it holds U+FFFD, which is what undecodable bytes become, so
   * two different byte keys could otherwise land in one series.
   */
  INVALID_KEY("invalid-key"),
  /** Key and value together exceed {@code scorer.max-record-bytes}; the payload is truncated. */
  RECORD_TOO_LARGE("record-too-large"),
  /** The value is not a valid metric record (not JSON, wrong fields or types, empty values). */
  UNPARSEABLE("unparseable"),
  /** The value names a series other than the key. */
  SERIES_KEY_MISMATCH("series-key-mismatch"),
  /** A reading is NaN or infinite (also a JSON number too large for a double, e.g. 1e400). */
  NON_FINITE_VALUE("non-finite-value"),
  /** A reading is finite but beyond the range of a 32-bit float, which the model computes in. */
  VALUE_OUT_OF_RANGE("value-out-of-range"),
  /** The record carries more metrics than {@code scorer.max-features}. */
  TOO_MANY_FEATURES("too-many-features"),
  /**
   * The timestamp is negative, or further ahead of the scorer's clock than {@code
   * scorer.max-future-skew}; accepted, it would make every later record of the series look late.
   */
  TIMESTAMP_OUT_OF_RANGE("timestamp-out-of-range"),
  /** The timestamp is older than the series' newest record. */
  OUT_OF_ORDER("out-of-order"),
  /** The series lacks a metric the active model reads. */
  MISSING_FEATURE("missing-feature"),
  /** The model failed on this record's window. */
  SCORING_FAILED("scoring-failed"),
  /**
   * An unexpected error while accepting the record (for example unreadable per-series state);
   * dead-lettered so that one record cannot stop the stream thread again and again.
   */
  PROCESSING_FAILED("processing-failed");

  /** Header carrying the reason code. */
  public static final String HEADER_REASON = "streamvae.dlq.reason";
  /** Header carrying a one-line explanation. */
  public static final String HEADER_DETAIL = "streamvae.dlq.detail";
  /** Header carrying {@code topic-partition@offset} of the input record. */
  public static final String HEADER_ORIGIN = "streamvae.dlq.origin";

  private final String code;

  DeadLetterReason(String code) {
    this.code = code;
  }

  /** The stable code written to the reason header and used as a metric tag. */
  public String code() {
    return code;
  }
}
