package dev.streamvae.vae;

/**
 * What one training epoch achieved. Losses are measured at the end of the epoch on a fixed,
 * evenly spaced subset of the training windows (at most 4096) with fixed noise, so they are
 * comparable from epoch to epoch; means per window, in nats, in the normalised space.
 *
 * @param epoch 1-based epoch number
 * @param epochs total epochs planned
 * @param loss mean negative ELBO per window: {@code reconstruction + beta * kl} with this
 *     epoch's beta
 * @param reconstruction mean Gaussian negative log-likelihood of a window (single sample)
 * @param kl mean KL divergence of q(z|x) from the standard normal prior
 * @param windowsPerSecond training throughput of this epoch
 * @param durationMillis wall-clock time of this epoch
 * @param beta the KL weight this epoch trained with (below the target while KL annealing)
 * @param validationLoss mean negative ELBO (with the target beta) of the held-back validation
 *     windows; NaN when none are held back
 */
public record EpochStats(int epoch, int epochs, double loss, double reconstruction, double kl,
    long windowsPerSecond, long durationMillis, double beta, double validationLoss) {

  /** Stats of an epoch at beta 1 without a validation split. */
  public EpochStats(int epoch, int epochs, double loss, double reconstruction, double kl,
      long windowsPerSecond, long durationMillis) {
    this(epoch, epochs, loss, reconstruction, kl, windowsPerSecond, durationMillis, 1.0,
        Double.NaN);
  }
}
