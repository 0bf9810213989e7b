/** HTTP: the active model and its load history, and the scorer's health. */
package dev.streamvae.scorer.http;
