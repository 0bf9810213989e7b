package dev.streamvae.scorer.model;

import java.time.Instant;

/**
 * What the registry did with one envelope from the models topic; listed on the model endpoint.
 *
 * @param at when it was offered
 * @param origin where it came from, e.g. {@code anomaly-models-0@12}
 * @param modelName the name in the envelope, or {@code null} if it did not decode
 * @param version the version in the envelope, or {@code null} if it did not decode
 * @param outcome what happened
 * @param reason why, in one line
 * @param duration how long decoding, verifying and loading took
 */
public record LoadAttempt(Instant at, String origin, String modelName, Long version,
    Outcome outcome, String reason, java.time.Duration duration) {

  /** What the registry did with an envelope. */
  public enum Outcome {
    /** Verified, loaded and now serving. */
    ACTIVATED,
    /** Valid but not newer than the active version, or for another model name. */
    IGNORED,
    /** Failed verification or loading; the previous model keeps serving. */
    REJECTED
  }
}
