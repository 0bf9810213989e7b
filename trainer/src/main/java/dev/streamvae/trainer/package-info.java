/**
 * The training job: reads history (a time range of a Kafka topic, or CSV files), fits the VAE,
 * writes the model bundle to a file and publishes it, versioned, to the compacted models topic.
 */
package dev.streamvae.trainer;
