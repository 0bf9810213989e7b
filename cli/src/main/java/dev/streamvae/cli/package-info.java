/**
 * The {@code ./anomaly} command line: the demo (embedded broker, synthetic data with injected
 * anomalies, trainer and scorer in one process), and entry points to train and score.
 */
package dev.streamvae.cli;
