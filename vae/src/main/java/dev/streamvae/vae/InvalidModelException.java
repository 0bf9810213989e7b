package dev.streamvae.vae;

/**
 * A model bundle or payload that must not be served: bad magic, unknown format version,
 * truncated bytes, checksum mismatch, a missing or bad signature, contents that contradict the
 * manifest, or reference windows that do not reproduce. The message is a one-line reason meant
 * for a person reading a log or an HTTP answer; {@link #kind()} is its category, for metrics.
 */
public class InvalidModelException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** What kind of check failed. */
  public enum Kind {
    /** Not a bundle, unknown format, truncated, undecodable, or contradicting its manifest. */
    MALFORMED,
    /** The payload's size or SHA-256 differ from the manifest's. */
    CHECKSUM,
    /** The envelope carries no signature and unsigned envelopes are not allowed. */
    UNSIGNED,
    /** Signed by a key that is not among the trusted ones. */
    UNTRUSTED_KEY,
    /** The signature does not verify: the envelope was altered after signing. */
    BAD_SIGNATURE,
    /** The model's features or window do not fit the input it would score. */
    INCOMPATIBLE,
    /** The loaded model does not reproduce the trainer's scores of the reference windows. */
    REFERENCE_MISMATCH,
    /** The envelope is larger than the reader accepts. */
    TOO_LARGE
  }

  private final Kind kind;

  /** A malformed-bundle rejection with its reason. */
  public InvalidModelException(String message) {
    this(Kind.MALFORMED, message);
  }

  /** A malformed-bundle rejection with its reason and the low-level failure that revealed it. */
  public InvalidModelException(String message, Throwable cause) {
    super(message, cause);
    this.kind = Kind.MALFORMED;
  }

  /** A rejection of a given kind with its reason. */
  public InvalidModelException(Kind kind, String message) {
    super(message);
    this.kind = java.util.Objects.requireNonNull(kind, "kind");
  }

  /** The category of the failed check. */
  public Kind kind() {
    return kind;
  }
}
