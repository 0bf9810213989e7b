package dev.streamvae.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The trainer's champion/challenger decision about a version; part of {@link ModelManifest}
 * (format 2). A version that is not promoted is a candidate: scorers that follow the newest
 * version do not activate it until an operator promotes it, but it can be shadowed.
 *
 * @param promoted whether the version may replace the active one
 * @param reason the decision in one line, with its numbers
 * @param championVersion the version it was compared with, or null when there was none
 * @param championScore the champion's mean anomaly score on the validation range, or null
 * @param challengerScore this version's mean anomaly score on the validation range
 * @param validationFrom start of the validation range, epoch milliseconds
 * @param validationTo end of the validation range, epoch milliseconds
 * @param validationWindows windows in the validation range
 */
public record Promotion(
    @JsonProperty(required = true) boolean promoted,
    String reason,
    Long championVersion,
    Double championScore,
    @JsonProperty(required = true) double challengerScore,
    @JsonProperty(required = true) long validationFrom,
    @JsonProperty(required = true) long validationTo,
    @JsonProperty(required = true) long validationWindows) {}
