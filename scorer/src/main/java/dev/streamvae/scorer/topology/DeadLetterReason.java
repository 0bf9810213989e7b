package dev.streamvae.scorer.topology;

/**
 * Why a record went to the dead-letter topic; the {@link #code()} is the value of the
 * {@value #HEADER_REASON} header, and a one-line {@value #HEADER_DETAIL} header says more.
 */
public enum DeadLetterReason {
  /** The record has no key; records must be keyed by series id so a series stays on one task. */
  MISSING_KEY("missing-key"),
  /** The value is not a valid metric record (not JSON, wrong fields or types, empty values). */
  UNPARSEABLE("unparseable"),
  /** The value names a series other than the key. */
  SERIES_KEY_MISMATCH("series-key-mismatch"),
  /** A reading is NaN or infinite. */
  NON_FINITE_VALUE("non-finite-value"),
  /** The timestamp is older than the series' newest record. */
  OUT_OF_ORDER("out-of-order"),
  /** The series lacks a metric the active model reads. */
  MISSING_FEATURE("missing-feature"),
  /** The model failed on this record's window. */
  SCORING_FAILED("scoring-failed");

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
