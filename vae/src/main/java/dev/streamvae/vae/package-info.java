/**
 * The model library: sliding-window training sets, the per-feature normaliser, a Gaussian
 * variational autoencoder trained with SameDiff, deterministic Monte Carlo scoring of windows
 * (reconstruction log-probability, anomaly score, latent mean), quantile threshold calibration,
 * and the versioned, checksummed model bundle that carries a trained model between processes.
 *
 * <p>Nothing here knows Kafka: the trainer and the scorer wrap these types.
 */
package dev.streamvae.vae;
