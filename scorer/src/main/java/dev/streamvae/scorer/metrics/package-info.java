/** Micrometer meters of the scorer, named for Prometheus ({@code _total}, {@code _seconds}). */
package dev.streamvae.scorer.metrics;
