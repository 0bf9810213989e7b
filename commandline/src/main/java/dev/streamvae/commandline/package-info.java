/**
 * How every streamvae command answers mistakes: a one-line message and a non-zero exit, never a
 * stack trace. Only picocli here, so any module with a command can use it.
 */
package dev.streamvae.commandline;
