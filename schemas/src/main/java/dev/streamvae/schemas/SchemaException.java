package dev.streamvae.schemas;

/** Bytes that do not decode to the expected record; the message says why, for a dead letter. */
public class SchemaException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a reason meant for a person reading a dead-letter header. */
  public SchemaException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception with a reason meant for a person reading a dead-letter header. */
  public SchemaException(String message) {
    super(message);
  }
}
