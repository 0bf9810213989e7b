package dev.streamvae.scorer.model;

import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.schemas.Promotion;
import dev.streamvae.schemas.ReferenceWindow;
import dev.streamvae.vae.ModelBundle;
import dev.streamvae.vae.SigningKeys;
import dev.streamvae.vae.TrainedModel;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Small real models and every kind of good and bad envelope made from them, shared by the model
 * lifecycle tests: signed, unsigned, signed by a stranger, corrupt, reading other features,
 * whose reference windows do not reproduce, held by champion/challenger.
 */
public final class TestEnvelopes {

  /** Window length of the test models. */
  public static final int WINDOW = 8;
  /** Milliseconds between records of the test series. */
  public static final long STEP = 1_000;
  /** The key the tests' scorers trust. */
  public static final KeyPair KEYS = SigningKeys.generate();
  /** A key nobody trusts. */
  public static final KeyPair STRANGER = SigningKeys.generate();

  private static TrainedModel valueModel;
  private static TrainedModel otherModel;

  private TestEnvelopes() {}

  /** The value of the test series at record i: a sine. */
  public static double value(int i) {
    return Math.sin(i / 4.0);
  }

  /** The trusted keys by id. */
  public static Map<String, PublicKey> trusted() {
    return Map.of(SigningKeys.keyId(KEYS.getPublic()), KEYS.getPublic());
  }

  /** The public key in PEM, as configuration takes it. */
  public static String trustedPem() {
    return SigningKeys.pem("PUBLIC KEY", KEYS.getPublic().getEncoded());
  }

  private static synchronized TrainedModel train(String feature) {
    TrainingSet.Builder data = TrainingSet.builder(List.of(feature), WINDOW, 1);
    long[] ts = new long[300];
    double[][] values = new double[300][1];
    for (int i = 0; i < 300; i++) {
      ts[i] = i * STEP;
      values[i][0] = value(i);
    }
    data.addSeries("train", ts, values);
    return VaeTrainer.train(data.build(), VaeConfig.builder().windowLength(WINDOW)
        .featureCount(1).hiddenSizes(8).latentDim(2).epochs(3).mcSamples(2).seed(5).build(),
        s -> { });
  }

  /** An unsigned bundle reading {@code value}. */
  public static synchronized ModelBundle unsigned(String name, long version) {
    if (valueModel == null) {
      valueModel = train("value");
    }
    return valueModel.toBundle(name, version, Instant.parse("2026-11-21T08:00:00Z"));
  }

  /** A signed bundle reading {@code value}. */
  public static ModelBundle signed(String name, long version) {
    return unsigned(name, version).signed(KEYS);
  }

  /** Signed by a key the scorers do not trust. */
  public static ModelBundle signedByStranger(String name, long version) {
    return unsigned(name, version).signed(STRANGER);
  }

  /** Signed, but reading feature {@code other}, which the input does not carry. */
  public static synchronized ModelBundle wrongFeatures(String name, long version) {
    if (otherModel == null) {
      otherModel = train("other");
    }
    return otherModel.toBundle(name, version, Instant.parse("2026-11-21T08:00:00Z"))
        .signed(KEYS);
  }

  /** Signed, but the trainer's reference scores are not what the payload computes. */
  public static ModelBundle referencesDoNotReproduce(String name, long version) {
    ModelBundle b = unsigned(name, version);
    ModelManifest m = b.manifest();
    List<ReferenceWindow> shifted = new ArrayList<>();
    for (ReferenceWindow r : m.referenceWindows()) {
      shifted.add(new ReferenceWindow(r.values(), r.logProbability() - 1.0));
    }
    return b.withManifest(new ModelManifest(m.formatVersion(), m.modelName(), m.version(),
        m.createdAt(), m.features(), m.windowLength(), m.stride(), m.latentDim(), m.mcSamples(),
        m.threshold(), m.thresholdMethod(), m.training(), m.payloadSha256(), m.payloadSize(),
        m.libraryVersions(), m.trainingSeries(), m.conditioning(), m.normalisation(),
        m.validation(), shifted, m.promotion(), null, m.trainingOptions())).signed(KEYS);
  }

  /** Signed, and held by the trainer's champion/challenger decision (not promoted). */
  public static ModelBundle heldCandidate(String name, long version) {
    ModelBundle b = unsigned(name, version);
    return b.withManifest(b.manifest().withPromotion(new Promotion(false,
        "challenger 5.0 worse than champion 4.0", version - 1, 4.0, 5.0, 0, 1, 10)))
        .signed(KEYS);
  }

  /** A signed envelope with one payload byte flipped (checksum mismatch). */
  public static byte[] corrupt(String name, long version) {
    byte[] bytes = signed(name, version).toBytes();
    bytes[bytes.length - 64 - 4 - 10] ^= 0x55;
    return bytes;
  }
}
