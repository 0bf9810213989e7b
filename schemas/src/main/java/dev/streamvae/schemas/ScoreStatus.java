package dev.streamvae.schemas;

/** What the scorer could do with an input record; every input yields exactly one score record. */
public enum ScoreStatus {
  /** Scored by a model: log-probability, score, threshold and latent mean are set. */
  SCORED,
  /** The series has fewer records than the model's window length; nothing to score yet. */
  WARMING_UP,
  /** No valid model was active when the record was processed. */
  NO_MODEL
}
