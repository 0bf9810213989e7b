package dev.streamvae.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a model was trained on and how training ended; part of {@link ModelManifest}.
 *
 * <p>Primitive components are {@code @JsonProperty(required = true)}: otherwise Jackson decodes a
 * missing one as 0 or false instead of rejecting the record.
 *
 * @param dataFrom earliest training record timestamp, epoch milliseconds
 * @param dataTo latest training record timestamp, epoch milliseconds
 * @param seriesCount number of distinct series in the training data
 * @param windowCount number of training windows
 * @param epochs epochs run
 * @param finalLoss mean negative ELBO per window in the last epoch
 * @param finalReconstruction mean reconstruction term (negative log-likelihood) in the last epoch
 * @param finalKl mean KL term in the last epoch
 * @param durationMillis wall-clock training time
 */
public record TrainingSummary(
    @JsonProperty(required = true) long dataFrom,
    @JsonProperty(required = true) long dataTo,
    @JsonProperty(required = true) int seriesCount,
    @JsonProperty(required = true) long windowCount,
    @JsonProperty(required = true) int epochs,
    @JsonProperty(required = true) double finalLoss,
    @JsonProperty(required = true) double finalReconstruction,
    @JsonProperty(required = true) double finalKl,
    @JsonProperty(required = true) long durationMillis) {}
