/**
 * The scorer service: a Micronaut application that runs the scoring Kafka Streams topology,
 * hot-reloads models from the models topic and serves health, metrics and model information.
 */
package dev.streamvae.scorer;
