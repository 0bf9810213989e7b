/**
 * The model registry: every model name's versions and their verification (size, checksum,
 * signature, compatibility, reference windows), the routing of series to names, the per-name
 * policies (follow newest, pin, shadow, promote) carried as policy records on the models topic,
 * the atomic swap of immutable active and shadow models, and the consumer that watches the
 * models topic.
 */
package dev.streamvae.scorer.model;
