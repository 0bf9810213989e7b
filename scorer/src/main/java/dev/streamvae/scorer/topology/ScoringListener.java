package dev.streamvae.scorer.topology;

import dev.streamvae.schemas.ScoreStatus;

/**
 * Told what the topology does, for metrics. Called on stream threads: implementations must be
 * cheap and thread-safe.
 */
public interface ScoringListener {

  /** A listener that ignores everything. */
  ScoringListener NONE = new ScoringListener() {};

  /** One score record was emitted. */
  default void onScore(ScoreStatus status, boolean anomaly, String modelName) {}

  /** One record went to the dead-letter topic. */
  default void onDeadLetter(DeadLetterReason reason) {}

  /** A batch of windows went through the model. */
  default void onBatch(int windows, long nanos) {}

  /** Latency from the input record's timestamp to its score, in milliseconds. */
  default void onEndToEndLatency(long millis) {}
}
