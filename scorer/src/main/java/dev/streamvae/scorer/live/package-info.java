/**
 * The live page: {@code GET /live} (a self-contained HTML page) and {@code GET /live/data} (its
 * JSON feed), fed by the topology through a {@link dev.streamvae.scorer.topology.ScoringListener}
 * into a bounded in-memory {@link dev.streamvae.scorer.live.LiveFeed}. Read-only, and only what
 * this instance scored: with several instances each page shows its own partitions' series.
 */
package dev.streamvae.scorer.live;
