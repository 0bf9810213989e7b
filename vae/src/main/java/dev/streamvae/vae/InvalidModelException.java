package dev.streamvae.vae;

/**
 * A model bundle or payload that must not be served: bad magic, unknown format version,
 * truncated bytes, checksum mismatch, or contents that contradict the manifest. The message is a
 * one-line reason meant for a person reading a log or an HTTP answer.
 */
public class InvalidModelException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A rejection with its reason. */
  public InvalidModelException(String message) {
    super(message);
  }

  /** A rejection with its reason and the low-level failure that revealed it. */
  public InvalidModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
