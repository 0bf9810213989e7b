package dev.streamvae.scorer.model;

import java.time.Duration;
import java.time.Instant;

/**
 * What the registry did with one record from the models topic; listed on the model endpoints.
 *
 * @param at when it was offered
 * @param origin where it came from, e.g. {@code anomaly-models-0@12}
 * @param modelName the name in the envelope, or {@code null} if it did not decode
 * @param version the version in the envelope, or {@code null} if it did not decode
 * @param outcome what happened
 * @param reasonCode the category of a rejection ({@code checksum}, {@code unsigned}, ...), or
 *     {@code none}; a metric tag
 * @param reason why, in one line
 * @param duration how long decoding, verifying and loading took
 */
public record LoadAttempt(Instant at, String origin, String modelName, Long version,
    Outcome outcome, String reasonCode, String reason, Duration duration) {

  /** What the registry did with an envelope. */
  public enum Outcome {
    /** Verified, loaded and now serving (or shadowing). */
    ACTIVATED,
    /** Verified and kept, but not what the model's policy serves (an older or held version). */
    VERIFIED,
    /** Seen before, or a tombstone. */
    IGNORED,
    /** A policy record, applied. */
    POLICY,
    /** Failed verification or loading; the previous model keeps serving. */
    REJECTED
  }
}
