package dev.streamvae.schemas;

/**
 * What a model was trained on and how training ended; part of {@link ModelManifest}.
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
    long dataFrom,
    long dataTo,
    int seriesCount,
    long windowCount,
    int epochs,
    double finalLoss,
    double finalReconstruction,
    double finalKl,
    long durationMillis) {}
