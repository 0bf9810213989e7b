package dev.streamvae.vae;

/**
 * Receives progress after every training epoch, on the training thread; for logs, metrics and
 * progress bars. It must return quickly: training waits for it.
 */
@FunctionalInterface
public interface EpochListener {

  /** Called once per finished epoch. */
  void onEpoch(EpochStats stats);
}
