package dev.streamvae.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Payload format 2 (this library's) and format 1 (models published before it) both load. */
class PayloadFormatTest {

  /** Format 1 as its writer laid it out: format 2 without the three option fields. */
  private static byte[] formatOne(AnomalyModel model) throws Exception {
    Architecture arch = model.network().architecture();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(1);
      out.writeInt(model.windowLength());
      out.writeInt(model.featureCount());
      out.writeInt(model.latentDim());
      out.writeInt(model.mcSamples());
      out.writeInt(arch.hiddenSizes().size());
      for (int h : arch.hiddenSizes()) {
        out.writeInt(h);
      }
      out.writeUTF("tanh");
      out.writeFloat(arch.encoderLogVarLimit());
      out.writeFloat(arch.decoderLogVarLimit());
      for (String f : model.features()) {
        out.writeUTF(f);
      }
      out.writeDouble(model.threshold());
      for (float v : model.normaliser().means()) {
        out.writeFloat(v);
      }
      for (float v : model.normaliser().stds()) {
        out.writeFloat(v);
      }
      for (float v : model.eps()) {
        out.writeFloat(v);
      }
      Map<String, INDArray> params = model.network().params();
      out.writeInt(params.size());
      for (Map.Entry<String, INDArray> e : params.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().rank());
        for (long d : e.getValue().shape()) {
          out.writeLong(d);
        }
        float[] values = e.getValue().dup('c').data().asFloat();
        out.writeInt(values.length);
        for (float v : values) {
          out.writeFloat(v);
        }
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void aFormatOnePayloadStillLoadsWithTheOldBehaviour() throws Exception {
    // Format 1 predates centring: its windows are raw, as this model's.
    AnomalyModel model = VaeTrainer.train(Synthetic.sineTrainingSet(),
        Synthetic.sineConfig().toBuilder().centreWindows(false).build(), null).model();
    AnomalyModel old = PayloadCodec.decode(formatOne(model));
    assertThat(old.maxMissing()).isZero();
    assertThat(old.reconstruction()).isEqualTo(VaeConfig.Reconstruction.GAUSSIAN);
    assertThat(old.normaliser().centreWindows()).isFalse();
    float[][] windows = java.util.Arrays.copyOf(Synthetic.sineTrainingSet().windows(), 5);
    ScoreBatch a = model.score(windows);
    ScoreBatch b = old.score(windows);
    for (int i = 0; i < windows.length; i++) {
      assertThat(b.logProbability(i)).isEqualTo(a.logProbability(i));
    }
  }

  @Test
  void formatTwoIsWrittenAndABadOptionFieldIsRejected() {
    AnomalyModel model = Synthetic.sineModel().model();
    byte[] payload = PayloadCodec.encode(model);
    assertThat(java.nio.ByteBuffer.wrap(payload).getInt()).isEqualTo(2);
    byte[] bad = payload.clone();
    bad[centringOffset(model)] = 7;
    assertThatThrownBy(() -> PayloadCodec.decode(bad)).isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("centring");
  }

  @Test
  void formatThreeCarriesLayoutAndConditioningAndRejectsBadOnes() {
    TrainingSet data = TrainingSet.builder(java.util.List.of("value"), 8, 1)
        .addSeries("s", Synthetic.timestamps(200), Synthetic.sine(200, 2)).build();
    AnomalyModel model = VaeTrainer.train(data,
        VaeConfig.builder().scoreTarget(VaeConfig.ScoreTarget.WINDOW).windowLength(8)
        .hiddenSizes(4).latentDim(2).epochs(1).mcSamples(2)
        .conditioning(VaeConfig.Conditioning.TIME_OF_WEEK).build(), null).model();
    byte[] payload = PayloadCodec.encode(model);
    assertThat(java.nio.ByteBuffer.wrap(payload).getInt()).isEqualTo(3);
    AnomalyModel copy = PayloadCodec.decode(payload);
    assertThat(copy.conditioningLabel()).isEqualTo("time-of-week@UTC");
    // After centring (1), maxMissing (4) and reconstruction (1): layout, conditioning, zone.
    int layout = centringOffset(model) + 6;
    byte[] badLayout = payload.clone();
    badLayout[layout] = 9;
    assertThatThrownBy(() -> PayloadCodec.decode(badLayout))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("architecture kind");
    byte[] badCondition = payload.clone();
    badCondition[layout + 1] = 9;
    assertThatThrownBy(() -> PayloadCodec.decode(badCondition))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("conditioning kind");
    byte[] badZone = payload.clone();
    badZone[layout + 2 + 2 + 2] = 'X'; // "UTC" -> "UTX"
    assertThatThrownBy(() -> PayloadCodec.decode(badZone))
        .isInstanceOf(InvalidModelException.class).hasMessageContaining("UTX");
  }

  /** Where format 2 writes the centring byte: right after the normaliser's stds. */
  private static int centringOffset(AnomalyModel model) {
    int offset = 4 * 6 + 4 * model.network().architecture().hiddenSizes().size();
    offset += 2 + "tanh".length() + 4 + 4;
    for (String f : model.features()) {
      offset += 2 + f.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
    return offset + 8 + 4 * 2 * model.featureCount();
  }
}
