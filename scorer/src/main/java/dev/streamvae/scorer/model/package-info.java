/**
 * The model registry: which model is active, how a new version is verified and swapped in
 * atomically, and the consumer that watches the models topic.
 */
package dev.streamvae.scorer.model;
