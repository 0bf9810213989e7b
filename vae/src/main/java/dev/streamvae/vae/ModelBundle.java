package dev.streamvae.vae;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.ModelManifest;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A versioned model bundle: the {@link ModelManifest} (what the model is) and the payload bytes
 * (the weights, normaliser and noise it scores with), tied together by the payload's SHA-256 in
 * the manifest. Immutable. Every way in ({@link #of}, {@link #fromBytes}, {@link #readFrom})
 * verifies the checksum and size, so a bundle that exists is internally consistent; {@link
 * #load()} further checks the payload against the manifest.
 *
 * <p>Binary layout of {@link #toBytes()}, big-endian: magic {@code "SVAE"} (4 bytes), int
 * format version ({@value #FORMAT_VERSION}), int manifest length, manifest JSON (UTF-8, {@link
 * JsonCodec#modelManifest()}), int payload length, payload. Nothing may follow.
 */
public final class ModelBundle {

  /** Version of the container layout and manifest semantics this library writes and reads. */
  public static final int FORMAT_VERSION = 1;

  private static final byte[] MAGIC = "SVAE".getBytes(StandardCharsets.US_ASCII);

  private final ModelManifest manifest;
  private final byte[] payload;

  private ModelBundle(ModelManifest manifest, byte[] payload) {
    this.manifest = manifest;
    this.payload = payload;
  }

  /**
   * A bundle from a manifest and payload that arrived separately (an envelope, a database).
   *
   * @throws InvalidModelException when the payload's size or SHA-256 differ from the manifest's
   */
  public static ModelBundle of(ModelManifest manifest, byte[] payload) {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(payload, "payload");
    byte[] copy = payload.clone();
    verify(manifest, copy);
    return new ModelBundle(manifest, copy);
  }

  /** The manifest. */
  public ModelManifest manifest() {
    return manifest;
  }

  /** A copy of the payload bytes. */
  public byte[] payload() {
    return payload.clone();
  }

  /** The bundle in its binary layout (see the class comment). */
  public byte[] toBytes() {
    byte[] json = JsonCodec.modelManifest().encode(manifest);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(json.length + payload.length + 16);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeInt(FORMAT_VERSION);
      out.writeInt(json.length);
      out.write(json);
      out.writeInt(payload.length);
      out.write(payload);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory write failed", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Parses and verifies a bundle.
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
      if (format != FORMAT_VERSION) {
        throw new InvalidModelException("unknown bundle format version " + format
            + " (this library reads " + FORMAT_VERSION + ")");
      }
      byte[] json = new byte[length(in.getInt(), in, "manifest")];
      in.get(json);
      ModelManifest manifest;
      try {
        manifest = JsonCodec.modelManifest().decode(json);
      } catch (SchemaException e) {
        throw new InvalidModelException("manifest undecodable: " + e.getMessage(), e);
      }
      if (manifest.formatVersion() != FORMAT_VERSION) {
        throw new InvalidModelException("manifest says format version "
            + manifest.formatVersion() + ", container " + FORMAT_VERSION);
      }
      byte[] payload = new byte[length(in.getInt(), in, "payload")];
      in.get(payload);
      if (in.hasRemaining()) {
        throw new InvalidModelException(in.remaining() + " unexpected bytes after the payload");
      }
      verify(manifest, payload);
      return new ModelBundle(manifest, payload);
    } catch (BufferUnderflowException e) {
      throw new InvalidModelException("bundle truncated at byte " + in.position() + " of "
          + bytes.length, e);
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

  /** The same payload under another version number (a republish). */
  public ModelBundle withVersion(long version) {
    return new ModelBundle(manifest.withVersion(version), payload);
  }

  /**
   * Rebuilds the scoring model from the payload alone.
   *
   * @throws InvalidModelException when the payload is malformed or contradicts the manifest
   *     (features, window length, latent size, sample count, threshold)
   */
  public AnomalyModel load() {
    AnomalyModel model = PayloadCodec.decode(payload);
    mustMatch("features", manifest.features(), model.features());
    mustMatch("windowLength", manifest.windowLength(), model.windowLength());
    mustMatch("latentDim", manifest.latentDim(), model.latentDim());
    mustMatch("mcSamples", manifest.mcSamples(), model.mcSamples());
    if (Double.compare(manifest.threshold(), model.threshold()) != 0) {
      throw new InvalidModelException("manifest threshold " + manifest.threshold()
          + " differs from the payload's " + model.threshold());
    }
    return model;
  }

  /** Lower-case hex SHA-256, as in {@link ModelManifest#payloadSha256()}. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
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
      throw new InvalidModelException("payload size " + payload.length
          + " differs from manifest payloadSize " + manifest.payloadSize());
    }
    String actual = sha256Hex(payload);
    if (!actual.equalsIgnoreCase(manifest.payloadSha256())) {
      throw new InvalidModelException("payload checksum mismatch: SHA-256 " + actual
          + ", manifest says " + manifest.payloadSha256());
    }
  }
}
