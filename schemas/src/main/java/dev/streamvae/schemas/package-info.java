/**
 * The wire contracts: the records that cross Kafka (input metrics, scores, model manifests), their
 * strict JSON codec, and the error it raises for bytes that are not a valid record. Avro schemas
 * describing the same records ship in the jar under {@code avro/}.
 */
package dev.streamvae.schemas;
