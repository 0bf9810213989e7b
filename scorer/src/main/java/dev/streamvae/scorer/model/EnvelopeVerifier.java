package dev.streamvae.scorer.model;

import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.vae.AnomalyModel;
import dev.streamvae.vae.InvalidModelException;
import dev.streamvae.vae.InvalidModelException.Kind;
import dev.streamvae.vae.ModelBundle;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every check an envelope passes before its model may serve, in order: size; structure and
 * payload checksum; signature against the trusted keys (or, when explicitly allowed, none);
 * compatibility with the input (the scorer's window capacity, the features configured for the
 * model name); loading the payload; and reproducing the trainer's scores of the reference
 * windows. Stateless and thread-safe.
 */
public final class EnvelopeVerifier {

  private final Map<String, PublicKey> trustedKeys;
  private final boolean allowUnsigned;
  private final int maxEnvelopeBytes;
  private final double referenceTolerance;
  private final int windowCapacity;
  private final Map<String, List<String>> expectedFeatures;

  /**
   * @param trustedKeys public keys by key id; envelopes signed by others are rejected
   * @param allowUnsigned accept envelopes without a signature (development only)
   * @param maxEnvelopeBytes largest envelope accepted
   * @param referenceTolerance relative tolerance on reference-window log-probabilities
   * @param windowCapacity records the scorer keeps per series: the longest window it can serve
   * @param expectedFeatures per model name, the features the input carries for it (absent: any)
   */
  public EnvelopeVerifier(Map<String, PublicKey> trustedKeys, boolean allowUnsigned,
      int maxEnvelopeBytes, double referenceTolerance, int windowCapacity,
      Map<String, List<String>> expectedFeatures) {
    this.trustedKeys = Map.copyOf(trustedKeys);
    this.allowUnsigned = allowUnsigned;
    this.maxEnvelopeBytes = maxEnvelopeBytes;
    this.referenceTolerance = referenceTolerance;
    this.windowCapacity = windowCapacity;
    this.expectedFeatures = Map.copyOf(expectedFeatures);
  }

  /** A verifier that accepts unsigned envelopes and checks no features, for tests and tools. */
  public static EnvelopeVerifier lenient(int windowCapacity) {
    return new EnvelopeVerifier(Map.of(), true, Integer.MAX_VALUE, 1e-4, windowCapacity, Map.of());
  }

  /** A verified, loaded model. */
  public record Verified(ModelBundle bundle, AnomalyModel model) {
    /** Validates the pair. */
    public Verified {
      Objects.requireNonNull(bundle, "bundle");
      Objects.requireNonNull(model, "model");
    }
  }

  /**
   * Decodes the envelope and checks what can be checked before loading (size, structure,
   * checksum, signature, compatibility).
   *
   * @throws InvalidModelException with the failed check's kind and a one-line reason
   */
  public ModelBundle decode(byte[] envelope) {
    if (envelope.length > maxEnvelopeBytes) {
      throw new InvalidModelException(Kind.TOO_LARGE, "envelope of " + envelope.length
          + " bytes exceeds scorer.models.max-envelope-bytes " + maxEnvelopeBytes);
    }
    ModelBundle bundle = ModelBundle.fromBytes(envelope);
    if (bundle.isSigned() || !allowUnsigned) {
      bundle.verifySignature(trustedKeys);
    }
    ModelManifest m = bundle.manifest();
    if (m.windowLength() > windowCapacity) {
      throw new InvalidModelException(Kind.INCOMPATIBLE, "window length " + m.windowLength()
          + " exceeds the scorer's window capacity " + windowCapacity);
    }
    List<String> expected = expectedFeatures.get(m.modelName());
    if (expected != null && !expected.equals(m.features())) {
      throw new InvalidModelException(Kind.INCOMPATIBLE, "model reads features " + m.features()
          + " but the input routed to '" + m.modelName() + "' carries " + expected);
    }
    return bundle;
  }

  /**
   * Loads a decoded bundle and reproduces its reference windows.
   *
   * @throws InvalidModelException when the payload does not load or the scores differ
   */
  public Verified load(ModelBundle bundle) {
    AnomalyModel model;
    try {
      model = bundle.load();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidModelException("payload does not load: " + e.getMessage(), e);
    }
    bundle.verifyReferences(model, referenceTolerance);
    return new Verified(bundle, model);
  }
}
