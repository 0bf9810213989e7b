/**
 * Shared fixtures for tests and the demo: a real Kafka broker (Testcontainers where Docker exists,
 * otherwise an in-process KRaft broker bound to 127.0.0.1) and seeded synthetic metric series with
 * labelled anomalies.
 */
package dev.streamvae.testkit;
