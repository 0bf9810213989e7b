/** The Kafka Streams application's lifecycle: configuration, start after the model catch-up, stop. */
package dev.streamvae.scorer.streams;
