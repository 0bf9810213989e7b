package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.ModelManifest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

  private static final Instant CREATED = Instant.parse("2026-11-21T10:15:30Z");

  private static ModelBundle bundle() {
    return Synthetic.sineModel().toBundle("cpu-model", 3, CREATED);
  }

  private static float[][] probe() {
    return Arrays.copyOf(Synthetic.windows(Synthetic.sine(200, 8), Synthetic.WINDOW), 50);
  }

  private static void assertSameScores(AnomalyModel a, AnomalyModel b) {
    float[][] windows = probe();
    ScoreBatch x = a.score(windows);
    ScoreBatch y = b.score(windows);
    assertThat(b.threshold()).isEqualTo(a.threshold());
    for (int i = 0; i < windows.length; i++) {
      assertThat(y.logProbability(i)).isCloseTo(x.logProbability(i),
          org.assertj.core.data.Offset.offset(1e-6));
      assertThat(y.latentMean(i)).containsExactly(x.latentMean(i));
    }
  }

  @Test
  void manifestDescribesTheModel() {
    TrainedModel trained = Synthetic.sineModel();
    ModelManifest m = bundle().manifest();
    assertThat(m.formatVersion()).isEqualTo(ModelBundle.FORMAT_VERSION);
    assertThat(m.modelName()).isEqualTo("cpu-model");
    assertThat(m.version()).isEqualTo(3);
    assertThat(m.createdAt()).isEqualTo(CREATED.toEpochMilli());
    assertThat(m.features()).containsExactly("value");
    assertThat(m.windowLength()).isEqualTo(Synthetic.WINDOW);
    assertThat(m.stride()).isEqualTo(1);
    assertThat(m.latentDim()).isEqualTo(4);
    assertThat(m.mcSamples()).isEqualTo(8);
    assertThat(m.threshold()).isEqualTo(trained.model().threshold());
    assertThat(m.thresholdMethod()).isEqualTo("quantile(0.995)");
    assertThat(m.training().windowCount()).isEqualTo(trained.data().windowCount());
    assertThat(m.training().seriesCount()).isEqualTo(1);
    assertThat(m.training().dataFrom()).isEqualTo(Synthetic.T0);
    assertThat(m.training().epochs()).isEqualTo(Synthetic.sineConfig().epochs());
    assertThat(m.training().finalLoss())
        .isEqualTo(trained.history().get(trained.history().size() - 1).loss());
    assertThat(m.payloadSize()).isEqualTo(bundle().payload().length);
    assertThat(m.payloadSha256()).isEqualTo(ModelBundle.sha256Hex(bundle().payload()))
        .hasSize(64);
    assertThat(m.libraryVersions()).containsEntry("dl4j", "1.0.0-M2.1").containsKey("java");
    // Where a scorer's per-series surprise starts: the training windows' own scores, scaled.
    double[] trainingScores = trainingScores(trained);
    double scale = ScoreSurprise.scale(trainingScores, trained.model().threshold());
    ScoreSurprise expected = ScoreSurprise.baseline(trainingScores, trained.model().threshold(),
        scale);
    assertThat(m.scoreBaseline()).isNotNull();
    assertThat(m.scoreBaseline().scale()).isEqualTo(scale).isPositive();
    assertThat(m.scoreBaseline().count()).isEqualTo(expected.count())
        .isEqualTo(trained.data().windowCount());
    assertThat(m.scoreBaseline().mean()).isCloseTo(expected.mean(), within(1e-9));
    assertThat(m.scoreBaseline().variance()).isCloseTo(expected.variance(), within(1e-9));
    // The threshold is a high quantile of the same scores: most sit below it.
    assertThat(m.scoreBaseline().mean()).isNegative();
  }

  private static double[] trainingScores(TrainedModel trained) {
    TrainingSet data = trained.data();
    ScoreBatch batch = trained.model().score(data.windows(), data.windowEnds());
    double[] out = new double[batch.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = batch.anomalyScore(i);
    }
    return out;
  }

  @Test
  void bytesRoundTrip() {
    ModelBundle original = bundle();
    ModelBundle copy = ModelBundle.fromBytes(original.toBytes());
    assertThat(copy.manifest()).isEqualTo(original.manifest());
    assertThat(copy.payload()).isEqualTo(original.payload());
    assertSameScores(Synthetic.sineModel().model(), copy.load());
  }

  @Test
  void fileRoundTrip(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("model.svae");
    bundle().writeTo(file);
    ModelBundle read = ModelBundle.readFrom(file);
    assertThat(read.manifest()).isEqualTo(bundle().manifest());
    assertSameScores(Synthetic.sineModel().model(), read.load());
  }

  @Test
  void corruptedPayloadFailsTheChecksum() {
    byte[] bytes = bundle().toBytes();
    bytes[bytes.length - 10] ^= 0x01;
    assertThatThrownBy(() -> ModelBundle.fromBytes(bytes))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("checksum");
  }

  @Test
  void rejectsBadMagic() {
    byte[] bytes = bundle().toBytes();
    bytes[0] = 'X';
    assertThatThrownBy(() -> ModelBundle.fromBytes(bytes))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("magic");
  }

  @Test
  void rejectsUnknownFormatVersion() {
    byte[] bytes = bundle().toBytes();
    ByteBuffer.wrap(bytes).putInt(4, ModelBundle.FORMAT_VERSION + 1);
    assertThatThrownBy(() -> ModelBundle.fromBytes(bytes))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("format version " + (ModelBundle.FORMAT_VERSION + 1));
  }

  @Test
  void rejectsTruncatedAndTrailingBytes() {
    byte[] bytes = bundle().toBytes();
    for (int length : new int[] {0, 3, 6, 10, 200, bytes.length - 1}) {
      assertThatThrownBy(() -> ModelBundle.fromBytes(Arrays.copyOf(bytes, length)))
          .as("truncated to %d bytes", length)
          .isInstanceOf(InvalidModelException.class).hasMessageContaining("truncated");
    }
    assertThatThrownBy(() -> ModelBundle.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("unexpected bytes after the signature");
  }

  @Test
  void rejectsUndecodableManifest() throws IOException {
    byte[] payload = bundle().payload();
    byte[] json = "{\"not\":\"a manifest\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataOutputStream data = new DataOutputStream(out)) {
      data.writeBytes("SVAE");
      data.writeInt(ModelBundle.FORMAT_VERSION);
      data.writeInt(json.length);
      data.write(json);
      data.writeInt(payload.length);
      data.write(payload);
    }
    assertThatThrownBy(() -> ModelBundle.fromBytes(out.toByteArray()))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("manifest");
  }

  @Test
  void rejectsPayloadSizeMismatch() {
    ModelManifest m = bundle().manifest();
    ModelManifest wrongSize = new ModelManifest(m.formatVersion(), m.modelName(), m.version(),
        m.createdAt(), m.features(), m.windowLength(), m.stride(), m.latentDim(),
        m.mcSamples(), m.threshold(), m.thresholdMethod(), m.training(), m.payloadSha256(),
        m.payloadSize() + 1, m.libraryVersions());
    assertThatThrownBy(() -> ModelBundle.of(wrongSize, bundle().payload()))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("size");
  }

  @Test
  void loadRejectsPayloadThatContradictsManifest() {
    ModelManifest m = bundle().manifest();
    ModelManifest otherWindow = new ModelManifest(m.formatVersion(), m.modelName(),
        m.version(), m.createdAt(), m.features(), m.windowLength() + 1, m.stride(),
        m.latentDim(), m.mcSamples(), m.threshold(), m.thresholdMethod(), m.training(),
        m.payloadSha256(), m.payloadSize(), m.libraryVersions());
    assertThatThrownBy(() -> ModelBundle.of(otherWindow, bundle().payload()).load())
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("windowLength");
    ModelManifest otherFeatures = new ModelManifest(m.formatVersion(), m.modelName(),
        m.version(), m.createdAt(), java.util.List.of("other"), m.windowLength(), m.stride(),
        m.latentDim(), m.mcSamples(), m.threshold(), m.thresholdMethod(), m.training(),
        m.payloadSha256(), m.payloadSize(), m.libraryVersions());
    assertThatThrownBy(() -> ModelBundle.of(otherFeatures, bundle().payload()).load())
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("features");
  }

  @Test
  void loadRejectsInconsistentPayload() {
    byte[] payload = bundle().payload();
    // Cut the last weight array short: checksum and size are recomputed, so only the payload's
    // own structure can catch it.
    byte[] cut = Arrays.copyOf(payload, payload.length - 8);
    assertThatThrownBy(() -> PayloadCodec.decode(cut))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("truncated");
    byte[] badFormat = payload.clone();
    ByteBuffer.wrap(badFormat).putInt(0, 99);
    assertThatThrownBy(() -> PayloadCodec.decode(badFormat))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("payload format 99");
    byte[] badLatent = payload.clone();
    ByteBuffer.wrap(badLatent).putInt(12, 5);
    assertThatThrownBy(() -> PayloadCodec.decode(badLatent))
        .isInstanceOf(InvalidModelException.class);
  }

  @Test
  void withVersionKeepsThePayload() {
    ModelBundle original = bundle();
    ModelBundle next = original.withVersion(4);
    assertThat(next.manifest().version()).isEqualTo(4);
    assertThat(next.manifest().payloadSha256()).isEqualTo(original.manifest().payloadSha256());
    assertThat(next.payload()).isEqualTo(original.payload());
    assertThat(ModelBundle.fromBytes(next.toBytes()).manifest().version()).isEqualTo(4);
  }

  @Test
  void manifestJsonIsTheSchemaCodecs() {
    byte[] bytes = bundle().toBytes();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    in.position(8);
    byte[] json = new byte[in.getInt()];
    in.get(json);
    assertThat(json).isEqualTo(JsonCodec.modelManifest().encode(bundle().manifest()));
  }

  @Test
  void bundleIsSmall() {
    // The models topic needs max.message.bytes above the bundle; keep an eye on the size.
    assertThat(bundle().toBytes().length).isLessThan(200_000);
  }
}
