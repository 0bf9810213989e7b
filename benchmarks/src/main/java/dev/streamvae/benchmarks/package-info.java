/**
 * JMH benchmarks of the model library and of the Random Cut Forest library as a baseline; run by
 * {@code benchmarks/run}, never by the build's tests. Figures and commands: docs/benchmarks.md.
 */
package dev.streamvae.benchmarks;
