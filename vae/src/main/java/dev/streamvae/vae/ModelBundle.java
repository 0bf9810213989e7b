package dev.streamvae.vae;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.schemas.Normalisation;
import dev.streamvae.schemas.ReferenceWindow;
import dev.streamvae.schemas.SchemaException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A versioned model bundle (the envelope on the models topic): the {@link ModelManifest} (what
 * the model is), the payload bytes (the weights, normaliser and noise it scores with), tied
 * together by the payload's SHA-256 in the manifest, and from format 2 an optional Ed25519
 * signature over all of it. Immutable. Every way in ({@link #of}, {@link #fromBytes}, {@link
 * #readFrom}) verifies the checksum and size, so a bundle that exists is internally consistent;
 * {@link #verifySignature} checks who made it, {@link #load()} checks the payload against the
 * manifest, and {@link #verifyReferences} that the loaded model computes what the trainer
 * computed.
 *
 * <p>Loading runs no code from the bundle: the manifest is JSON decoded into a fixed record, the
 * payload is numbers read with {@link java.io.DataInputStream} ({@link PayloadCodec}), never Java
 * serialisation or a serialised graph.
 *
 * <p>Binary layout of {@link #toBytes()}, big-endian: magic {@code "SVAE"} (4 bytes), int format
 * version, int manifest length, manifest JSON (UTF-8, {@link JsonCodec#modelManifest()}), int
 * payload length, payload; then, in format 2 only, int signature length (0 when unsigned, else
 * 64) and the Ed25519 signature of every byte before that int, by the key the manifest names in
 * {@code signingKeyId}. Nothing may follow. Format 1 (no signature block) is still read; it is
 * never signed.
 */
public final class ModelBundle {

  /** Version of the container layout and manifest semantics this library writes. */
  public static final int FORMAT_VERSION = 2;
  /** The oldest format this library still reads. */
  public static final int OLDEST_FORMAT_VERSION = 1;

  private static final byte[] MAGIC = "SVAE".getBytes(StandardCharsets.US_ASCII);
  private static final int SIGNATURE_LENGTH = 64;

  private final ModelManifest manifest;
  private final byte[] manifestJson;
  private final byte[] payload;
  private final byte[] signature;

  private ModelBundle(ModelManifest manifest, byte[] manifestJson, byte[] payload,
      byte[] signature) {
    this.manifest = manifest;
    this.manifestJson = manifestJson;
    this.payload = payload;
    this.signature = signature;
  }

  /**
   * An unsigned bundle from a manifest and payload that arrived separately.
   *
   * @throws InvalidModelException when the payload's size or SHA-256 differ from the manifest's,
   *     or the manifest names a format this library does not write or read
   */
  public static ModelBundle of(ModelManifest manifest, byte[] payload) {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(payload, "payload");
    checkFormat(manifest.formatVersion());
    byte[] copy = payload.clone();
    verify(manifest, copy);
    ModelManifest unsigned = manifest.signingKeyId() == null ? manifest
        : manifest.withSigningKeyId(null);
    return new ModelBundle(unsigned, JsonCodec.modelManifest().encode(unsigned), copy, null);
  }

  /** The manifest. */
  public ModelManifest manifest() {
    return manifest;
  }

  /** A copy of the payload bytes. */
  public byte[] payload() {
    return payload.clone();
  }

  /** Whether the envelope carries a signature (not whether it verifies). */
  public boolean isSigned() {
    return signature != null;
  }

  /**
   * This bundle signed with {@code keys}: the manifest names the key ({@link
   * SigningKeys#keyId}), and the signature covers magic, format, manifest and payload.
   *
   * @throws IllegalStateException for a format-1 bundle, which has no place for a signature
   */
  public ModelBundle signed(KeyPair keys) {
    if (manifest.formatVersion() < 2) {
      throw new IllegalStateException("format " + manifest.formatVersion()
          + " bundles cannot be signed");
    }
    ModelManifest named = manifest.withSigningKeyId(SigningKeys.keyId(keys.getPublic()));
    ModelBundle unsigned = new ModelBundle(named, JsonCodec.modelManifest().encode(named),
        payload, null);
    try {
      Signature signer = Signature.getInstance(SigningKeys.ALGORITHM);
      signer.initSign(keys.getPrivate());
      signer.update(unsigned.signedContent());
      return new ModelBundle(named, unsigned.manifestJson, payload, signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
    }
  }

  /**
   * Checks the signature against trusted public keys.
   *
   * @param trusted public keys by key id ({@link SigningKeys#keyId})
   * @throws InvalidModelException of kind {@link InvalidModelException.Kind#UNSIGNED}, {@link
   *     InvalidModelException.Kind#UNTRUSTED_KEY} or {@link
   *     InvalidModelException.Kind#BAD_SIGNATURE}
   */
  public void verifySignature(Map<String, PublicKey> trusted) {
    if (signature == null) {
      throw new InvalidModelException(InvalidModelException.Kind.UNSIGNED,
          "envelope is not signed (format " + manifest.formatVersion() + ")");
    }
    String keyId = manifest.signingKeyId();
    PublicKey key = trusted.get(keyId);
    if (key == null) {
      throw new InvalidModelException(InvalidModelException.Kind.UNTRUSTED_KEY,
          "signed by key " + keyId + ", which is not among the " + trusted.size()
              + " trusted keys");
    }
    boolean ok;
    try {
      Signature verifier = Signature.getInstance(SigningKeys.ALGORITHM);
      verifier.initVerify(key);
      verifier.update(signedContent());
      ok = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      ok = false;
    }
    if (!ok) {
      throw new InvalidModelException(InvalidModelException.Kind.BAD_SIGNATURE,
          "signature does not verify with key " + keyId + ": the envelope was altered after "
              + "signing");
    }
  }

  /** The bundle in its binary layout (see the class comment), in the manifest's format. */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(manifestJson.length + payload.length
        + SIGNATURE_LENGTH + 24);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(signedContent());
      if (manifest.formatVersion() >= 2) {
        out.writeInt(signature == null ? 0 : signature.length);
        if (signature != null) {
          out.write(signature);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory write failed", e);
    }
    return bytes.toByteArray();
  }

  /** Magic, format, manifest and payload: what the signature covers. */
  private byte[] signedContent() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(manifestJson.length + payload.length
        + 16);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeInt(manifest.formatVersion());
      out.writeInt(manifestJson.length);
      out.write(manifestJson);
      out.writeInt(payload.length);
      out.write(payload);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory write failed", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Parses and verifies a bundle of format 1 or 2. The manifest bytes are kept as they arrived,
   * so the signature is checked over exactly what was signed.
   *
   * @throws InvalidModelException with a one-line reason: bad magic, unknown format version,
   *     truncated or trailing bytes, undecodable manifest, payload size or SHA-256 mismatch
   */
  public static ModelBundle fromBytes(byte[] bytes) {
    if (bytes == null) {
      throw new InvalidModelException("no bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      byte[] magic = new byte[MAGIC.length];
      in.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new InvalidModelException("not a model bundle: bad magic");
      }
      int format = in.getInt();
      checkFormat(format);
      byte[] json = new byte[length(in.getInt(), in, "manifest")];
      in.get(json);
      ModelManifest manifest;
      try {
        manifest = JsonCodec.modelManifest().decode(json);
      } catch (SchemaException e) {
        throw new InvalidModelException("manifest undecodable: " + e.getMessage(), e);
      }
      if (manifest.formatVersion() != format) {
        throw new InvalidModelException("manifest says format version "
            + manifest.formatVersion() + ", container " + format);
      }
      byte[] payload = new byte[length(in.getInt(), in, "payload")];
      in.get(payload);
      byte[] signature = null;
      if (format >= 2) {
        int signatureLength = in.getInt();
        if (signatureLength != 0 && signatureLength != SIGNATURE_LENGTH) {
          throw new InvalidModelException("signature of " + signatureLength + " bytes; Ed25519 "
              + "signatures have " + SIGNATURE_LENGTH);
        }
        if (signatureLength > 0) {
          signature = new byte[length(signatureLength, in, "signature")];
          in.get(signature);
          if (manifest.signingKeyId() == null) {
            throw new InvalidModelException("signed envelope whose manifest names no key");
          }
        } else if (manifest.signingKeyId() != null) {
          throw new InvalidModelException(InvalidModelException.Kind.UNSIGNED,
              "manifest names signing key " + manifest.signingKeyId()
                  + " but the envelope carries no signature");
        }
      }
      if (in.hasRemaining()) {
        throw new InvalidModelException(in.remaining() + " unexpected bytes after the "
            + (format >= 2 ? "signature" : "payload"));
      }
      verify(manifest, payload);
      return new ModelBundle(manifest, json, payload, signature);
    } catch (BufferUnderflowException e) {
      throw new InvalidModelException("bundle truncated at byte " + in.position() + " of "
          + bytes.length, e);
    }
  }

  /**
   * The manifest of an envelope that may be invalid otherwise (bad checksum, bad signature),
   * without verifying anything: for reporting which name and version a rejected envelope
   * claimed. Empty when even the manifest cannot be read.
   */
  public static java.util.Optional<ModelManifest> peekManifest(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      byte[] magic = new byte[MAGIC.length];
      in.get(magic);
      in.getInt();
      byte[] json = new byte[length(in.getInt(), in, "manifest")];
      in.get(json);
      return Arrays.equals(magic, MAGIC)
          ? java.util.Optional.of(JsonCodec.modelManifest().decode(json))
          : java.util.Optional.empty();
    } catch (RuntimeException | SchemaException e) {
      return java.util.Optional.empty();
    }
  }

  /** Writes {@link #toBytes()} to a file, replacing it. */
  public void writeTo(Path file) throws IOException {
    Files.write(file, toBytes());
  }

  /**
   * Reads and verifies a bundle file.
   *
   * @throws InvalidModelException when the content is not a valid bundle
   */
  public static ModelBundle readFrom(Path file) throws IOException {
    return fromBytes(Files.readAllBytes(file));
  }

  /** The same payload under another version number (a republish); unsigned until re-signed. */
  public ModelBundle withVersion(long version) {
    return withManifest(manifest.withVersion(version));
  }

  /**
   * The same payload with another manifest (e.g. the champion/challenger decision added); the
   * result is unsigned until {@link #signed}, and its manifest must still match the payload.
   */
  public ModelBundle withManifest(ModelManifest newManifest) {
    return of(newManifest, payload);
  }

  /**
   * Rebuilds the scoring model from the payload alone (numbers only, no code).
   *
   * @throws InvalidModelException when the payload is malformed or contradicts the manifest
   *     (features, window length, latent size, sample count, threshold, normalisation,
   *     conditioning)
   */
  public AnomalyModel load() {
    AnomalyModel model = PayloadCodec.decode(payload);
    // A manifest without the field (format 1) describes a model that reads the window alone.
    mustMatch("conditioning", manifest.conditioning() == null ? TrainedModel.CONDITIONING_NONE
        : manifest.conditioning(), model.conditioningLabel());
    mustMatch("features", manifest.features(), model.features());
    mustMatch("windowLength", manifest.windowLength(), model.windowLength());
    mustMatch("latentDim", manifest.latentDim(), model.latentDim());
    mustMatch("mcSamples", manifest.mcSamples(), model.mcSamples());
    if (Double.compare(manifest.threshold(), model.threshold()) != 0) {
      throw new InvalidModelException("manifest threshold " + manifest.threshold()
          + " differs from the payload's " + model.threshold());
    }
    Normalisation n = manifest.normalisation();
    if (n != null) {
      mustMatch("normalisation means", n.means(), asDoubles(model.normaliser().means()));
      mustMatch("normalisation stds", n.stds(), asDoubles(model.normaliser().stds()));
    }
    return model;
  }

  /**
   * Scores the manifest's reference windows with {@code model} and compares each
   * log-probability with the trainer's: {@code |mine - trainer's| <= tolerance * max(1,
   * |trainer's|)}. A manifest without reference windows (format 1) passes. A conditional model's
   * windows are scored with their timestamps; one without a timestamp is a mismatch.
   *
   * @return how many windows were compared
   * @throws InvalidModelException of kind {@link InvalidModelException.Kind#REFERENCE_MISMATCH}
   */
  public int verifyReferences(AnomalyModel model, double tolerance) {
    List<ReferenceWindow> refs = manifest.referenceWindows();
    if (refs == null || refs.isEmpty()) {
      return 0;
    }
    int n = model.windowLength() * model.featureCount();
    float[][] windows = new float[refs.size()][];
    long[] timestamps = model.conditional() ? new long[refs.size()] : null;
    for (int i = 0; i < windows.length; i++) {
      List<Double> values = refs.get(i).values();
      if (timestamps != null) {
        Long timestamp = refs.get(i).timestamp();
        if (timestamp == null) {
          throw new InvalidModelException(InvalidModelException.Kind.REFERENCE_MISMATCH,
              "reference window " + i + " has no timestamp; the model is conditioned on "
                  + model.conditioningLabel() + " and cannot score it without one");
        }
        timestamps[i] = timestamp;
      }
      if (values.size() != n) {
        throw new InvalidModelException(InvalidModelException.Kind.REFERENCE_MISMATCH,
            "reference window " + i + " has " + values.size() + " values, the model reads " + n);
      }
      windows[i] = new float[n];
      for (int j = 0; j < n; j++) {
        windows[i][j] = values.get(j).floatValue();
      }
    }
    ScoreBatch batch = model.score(windows, timestamps);
    for (int i = 0; i < windows.length; i++) {
      double expected = refs.get(i).logProbability();
      double actual = batch.logProbability(i);
      if (!(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)))) {
        throw new InvalidModelException(InvalidModelException.Kind.REFERENCE_MISMATCH,
            "reference window " + i + " scores " + actual + ", the trainer's score is "
                + expected + " (tolerance " + tolerance + " relative)");
      }
    }
    return windows.length;
  }

  /** Lower-case hex SHA-256, as in {@link ModelManifest#payloadSha256()}. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static List<Double> asDoubles(float[] values) {
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = (double) values[i];
    }
    return List.of(boxed);
  }

  private static void checkFormat(int format) {
    if (format < OLDEST_FORMAT_VERSION || format > FORMAT_VERSION) {
      throw new InvalidModelException("unknown bundle format version " + format
          + " (this library reads " + OLDEST_FORMAT_VERSION + " to " + FORMAT_VERSION + ")");
    }
  }

  private static void mustMatch(String what, Object inManifest, Object inPayload) {
    if (!inManifest.equals(inPayload)) {
      throw new InvalidModelException("payload " + what + " " + inPayload
          + " contradicts manifest " + what + " " + inManifest);
    }
  }

  private static int length(int length, ByteBuffer in, String what) {
    if (length < 0 || length > in.remaining()) {
      throw new InvalidModelException("bundle truncated: " + what + " of " + length
          + " bytes, " + in.remaining() + " left");
    }
    return length;
  }

  private static void verify(ModelManifest manifest, byte[] payload) {
    if (manifest.payloadSize() != payload.length) {
      throw new InvalidModelException(InvalidModelException.Kind.CHECKSUM, "payload size "
          + payload.length + " differs from manifest payloadSize " + manifest.payloadSize());
    }
    String actual = sha256Hex(payload);
    if (!actual.equalsIgnoreCase(manifest.payloadSha256())) {
      throw new InvalidModelException(InvalidModelException.Kind.CHECKSUM,
          "payload checksum mismatch: SHA-256 " + actual + ", manifest says "
              + manifest.payloadSha256());
    }
  }
}
