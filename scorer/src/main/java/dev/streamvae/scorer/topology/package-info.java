/**
 * The scoring topology: a pure function of a {@code StreamsBuilder}, immutable settings and a
 * model source. Per-series windows and not-yet-emitted records live in changelogged state
 * stores, so micro-batching loses nothing across a crash or a rebalance. Knows no HTTP and no
 * metrics library: it reports through {@link dev.streamvae.scorer.topology.ScoringListener}.
 */
package dev.streamvae.scorer.topology;
