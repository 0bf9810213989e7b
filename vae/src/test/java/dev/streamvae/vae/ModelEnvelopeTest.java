package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.schemas.ReferenceWindow;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envelope format 2: signatures, reference windows, provenance fields, and that a format-1
 * envelope written by the previous code still loads and scores as it did.
 */
class ModelEnvelopeTest {

  private static final Instant CREATED = Instant.parse("2026-11-21T10:15:30Z");
  private static final KeyPair KEYS = SigningKeys.generate();

  private static ModelBundle bundle() {
    return Synthetic.sineModel().toBundle("cpu-model", 3, CREATED);
  }

  private static Map<String, PublicKey> trusted(KeyPair... pairs) {
    Map<String, PublicKey> keys = new java.util.HashMap<>();
    for (KeyPair p : pairs) {
      keys.put(SigningKeys.keyId(p.getPublic()), p.getPublic());
    }
    return keys;
  }

  /** A test envelope written by an earlier version of the code (src/test/resources). */
  private byte[] envelope(String name) throws java.io.IOException {
    try (InputStream in = getClass().getResourceAsStream("/envelopes/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void formatOneEnvelopeFromThePreviousCodeStillLoadsAndScoresTheSame() throws Exception {
    byte[] bytes = envelope("format-v1.svae");
    ModelBundle v1 = ModelBundle.fromBytes(bytes);
    assertThat(v1.manifest().formatVersion()).isEqualTo(1);
    assertThat(v1.manifest().modelName()).isEqualTo("legacy");
    assertThat(v1.manifest().referenceWindows()).isNull();
    assertThat(v1.isSigned()).isFalse();
    AnomalyModel model = v1.load();
    assertThat(v1.verifyReferences(model, 1e-6)).isZero();
    // The scores the format-1 code gave (format-v1.README) for the same windows, up to float32
    // rounding: the inference kernels may order their sums differently from that code's.
    float[][] windows = Arrays.copyOf(Synthetic.windows(Synthetic.sine(300, 5), 8), 3);
    ScoreBatch scores = model.score(windows);
    double[] expected = {-8.501410490178092, -8.967353945874198, -10.84650636305712};
    for (int i = 0; i < 3; i++) {
      assertThat(scores.logProbability(i)).isCloseTo(expected[i], Offset.offset(1e-6));
    }
    // It is written back byte for byte in its own format, and cannot be signed.
    assertThat(v1.toBytes()).isEqualTo(bytes);
    assertThatThrownBy(() -> v1.signed(KEYS)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> v1.verifySignature(trusted(KEYS)))
        .isInstanceOfSatisfying(InvalidModelException.class,
            e -> assertThat(e.kind()).isEqualTo(InvalidModelException.Kind.UNSIGNED));
  }

  @Test
  void formatTwoEnvelopeFromBeforeConditioningStillLoadsAndScoresTheSame() throws Exception {
    byte[] bytes = envelope("format-v2.svae");
    ModelBundle v2 = ModelBundle.fromBytes(bytes);
    assertThat(v2.manifest().formatVersion()).isEqualTo(2);
    assertThat(v2.manifest().conditioning()).isEqualTo("none");
    assertThat(v2.manifest().referenceWindows()).hasSize(TrainedModel.REFERENCE_WINDOWS)
        .allSatisfy(r -> assertThat(r.timestamp()).isNull());
    AnomalyModel model = v2.load();
    assertThat(model.conditional()).isFalse();
    assertThat(model.architecture()).isEqualTo(VaeConfig.ArchitectureKind.DENSE);
    assertThat(v2.verifyReferences(model, 1e-6)).isEqualTo(TrainedModel.REFERENCE_WINDOWS);
    // The scores that code gave (format-v2.README), up to float32 rounding.
    float[][] windows = Arrays.copyOf(Synthetic.windows(Synthetic.sine(300, 5), 8), 3);
    double[] expected = {-8.501410549782737, -8.967353826664908, -10.8465066014757};
    ScoreBatch scores = model.score(windows);
    for (int i = 0; i < 3; i++) {
      assertThat(scores.logProbability(i)).isCloseTo(expected[i], Offset.offset(1e-6));
    }
    // It is written back byte for byte, and its payload re-encodes as the same format 2.
    assertThat(v2.toBytes()).isEqualTo(bytes);
    assertThat(PayloadCodec.encode(model)).isEqualTo(v2.payload());
  }

  @Test
  void formatTwoManifestCarriesProvenanceAndReferenceWindows() {
    ModelManifest m = bundle().manifest();
    assertThat(m.formatVersion()).isEqualTo(2);
    assertThat(m.trainingSeries()).isNotEmpty();
    assertThat(m.conditioning()).isEqualTo("none");
    assertThat(m.normalisation().means()).hasSize(1);
    assertThat(m.referenceWindows()).hasSize(TrainedModel.REFERENCE_WINDOWS)
        .allSatisfy(r -> assertThat(r.values()).hasSize(Synthetic.WINDOW));
    assertThat(m.promoted()).isTrue();
    ModelBundle copy = ModelBundle.fromBytes(bundle().toBytes());
    assertThat(copy.verifyReferences(copy.load(), 1e-6)).isEqualTo(TrainedModel.REFERENCE_WINDOWS);
  }

  @Test
  void signedEnvelopeVerifiesWithTheTrustedKeyOnly() {
    ModelBundle signed = bundle().signed(KEYS);
    assertThat(signed.manifest().signingKeyId()).isEqualTo(SigningKeys.keyId(KEYS.getPublic()));
    ModelBundle read = ModelBundle.fromBytes(signed.toBytes());
    assertThat(read.isSigned()).isTrue();
    read.verifySignature(trusted(KEYS, SigningKeys.generate()));

    assertThatThrownBy(() -> read.verifySignature(trusted(SigningKeys.generate())))
        .isInstanceOfSatisfying(InvalidModelException.class,
            e -> assertThat(e.kind()).isEqualTo(InvalidModelException.Kind.UNTRUSTED_KEY));
    assertThatThrownBy(() -> bundle().verifySignature(trusted(KEYS)))
        .isInstanceOfSatisfying(InvalidModelException.class,
            e -> assertThat(e.kind()).isEqualTo(InvalidModelException.Kind.UNSIGNED));
    // A republish under another version must be signed again.
    assertThat(signed.withVersion(9).isSigned()).isFalse();
  }

  @Test
  void anyChangeAfterSigningBreaksTheSignature() {
    byte[] bytes = bundle().signed(KEYS).toBytes();
    // The manifest's version number, as text inside the JSON: "version":3 -> "version":4.
    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    int at = text.indexOf("\"version\":3");
    assertThat(at).isPositive();
    byte[] altered = bytes.clone();
    altered[at + "\"version\":".length()] = '4';
    ModelBundle read = ModelBundle.fromBytes(altered);
    assertThat(read.manifest().version()).isEqualTo(4);
    assertThatThrownBy(() -> read.verifySignature(trusted(KEYS)))
        .isInstanceOfSatisfying(InvalidModelException.class,
            e -> assertThat(e.kind()).isEqualTo(InvalidModelException.Kind.BAD_SIGNATURE));
    // Flipping a bit of the signature itself.
    byte[] badSignature = bytes.clone();
    badSignature[bytes.length - 1] ^= 0x01;
    assertThatThrownBy(() -> ModelBundle.fromBytes(badSignature).verifySignature(trusted(KEYS)))
        .isInstanceOfSatisfying(InvalidModelException.class,
            e -> assertThat(e.kind()).isEqualTo(InvalidModelException.Kind.BAD_SIGNATURE));
    // Stripping the signature but keeping the key id is caught at parse time.
    byte[] stripped = Arrays.copyOf(bytes, bytes.length - 64);
    ByteBuffer.wrap(stripped).putInt(stripped.length - 4, 0);
    assertThatThrownBy(() -> ModelBundle.fromBytes(stripped))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("no signature");
  }

  @Test
  void referenceWindowsThatDoNotReproduceAreRejected() {
    ModelBundle original = bundle();
    ModelManifest m = original.manifest();
    List<ReferenceWindow> shifted = new ArrayList<>();
    for (ReferenceWindow r : m.referenceWindows()) {
      shifted.add(new ReferenceWindow(r.values(), r.logProbability() + 0.5));
    }
    ModelBundle lying = original.withManifest(new ModelManifest(m.formatVersion(), m.modelName(),
        m.version(), m.createdAt(), m.features(), m.windowLength(), m.stride(), m.latentDim(),
        m.mcSamples(), m.threshold(), m.thresholdMethod(), m.training(), m.payloadSha256(),
        m.payloadSize(), m.libraryVersions(), m.trainingSeries(), m.conditioning(),
        m.normalisation(), m.validation(), shifted, m.promotion(), null, m.trainingOptions()));
    assertThatThrownBy(() -> lying.verifyReferences(lying.load(), 1e-4))
        .isInstanceOfSatisfying(InvalidModelException.class,
            e -> assertThat(e.kind()).isEqualTo(InvalidModelException.Kind.REFERENCE_MISMATCH))
        .hasMessageContaining("reference window 0");
  }

  @Test
  void keyFilesRoundTrip(@TempDir Path dir) throws Exception {
    Path priv = dir.resolve("signing.key");
    Path pub = dir.resolve("signing.pub");
    SigningKeys.write(KEYS, priv, pub);
    KeyPair read = SigningKeys.readPair(SigningKeys.textOf(priv.toString()));
    PublicKey trustedKey = SigningKeys.readPublic(SigningKeys.textOf(pub.toString()));
    assertThat(SigningKeys.keyId(trustedKey)).isEqualTo(SigningKeys.keyId(KEYS.getPublic()));
    ModelBundle.fromBytes(bundle().signed(read).toBytes())
        .verifySignature(Map.of(SigningKeys.keyId(trustedKey), trustedKey));
    assertThatThrownBy(() -> SigningKeys.readPublic("not a key"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Ed25519");
    assertThatThrownBy(() -> SigningKeys.readPair(SigningKeys.textOf(pub.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PRIVATE KEY");
  }
}
