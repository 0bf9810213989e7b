/**
 * Offline evaluation of anomaly detectors, with no Kafka: the Numenta Anomaly Benchmark scored
 * the way NAB scores it ({@link dev.streamvae.evaluation.nab}), point-wise metrics for any folder
 * of labelled CSVs ({@link dev.streamvae.evaluation.pointwise}), the detectors under test
 * ({@link dev.streamvae.evaluation.detect}) and the {@code evaluate} command
 * ({@link dev.streamvae.evaluation.EvaluateCommand}).
 */
package dev.streamvae.evaluation;
