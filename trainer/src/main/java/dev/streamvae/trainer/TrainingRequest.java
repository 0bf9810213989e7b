package dev.streamvae.trainer;

import dev.streamvae.vae.VaeConfig;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one training run needs, validated at construction.
 *
 * @param source where the history comes from
 * @param modelName the model's name (the models topic key)
 * @param features metric names to model, in order; empty means every metric common to the whole
 *     history, sorted by name
 * @param stride step between training windows, in records
 * @param vae the network and training settings; its feature count is replaced by the features'
 * @param bundleFile where to write the bundle, or {@code null}; {@code {name}} and
 *     {@code {version}} in it are replaced by the model's name and version
 * @param publishTo where to publish the bundle, or {@code null} to only write the file
 * @param signingKey the Ed25519 key pair that signs the envelope, or {@code null} to publish it
 *     unsigned (scorers reject it unless they allow unsigned envelopes)
 * @param championChallenger how to compare the new model with the active one before promoting
 *     it, or {@code null} to promote every new version
 * @param fineTuneEpochs when positive, start from the weights of the version scorers serve (the
 *     champion on the models topic) and train this many epochs instead of the config's; a full
 *     training when there is no usable champion. 0: always a full training
 * @param fineTuneLearningRate the Adam learning rate of a fine-tuning; 0 when constructed means
 *     a tenth of the config's, and the record then holds that rate (the optimiser starts afresh,
 *     and at the full rate its first steps knock a tightly fitted model off its fit)
 */
public record TrainingRequest(
    HistorySource source,
    String modelName,
    List<String> features,
    int stride,
    VaeConfig vae,
    String bundleFile,
    PublishTarget publishTo,
    KeyPair signingKey,
    ChampionChallenger championChallenger,
    int fineTuneEpochs,
    double fineTuneLearningRate) {

  /** A request whose fine-tunings run at a tenth of the training's learning rate. */
  public TrainingRequest(HistorySource source, String modelName, List<String> features,
      int stride, VaeConfig vae, String bundleFile, PublishTarget publishTo, KeyPair signingKey,
      ChampionChallenger championChallenger, int fineTuneEpochs) {
    this(source, modelName, features, stride, vae, bundleFile, publishTo, signingKey,
        championChallenger, fineTuneEpochs, 0);
  }

  /** A request that trains from fresh weights. */
  public TrainingRequest(HistorySource source, String modelName, List<String> features,
      int stride, VaeConfig vae, String bundleFile, PublishTarget publishTo, KeyPair signingKey,
      ChampionChallenger championChallenger) {
    this(source, modelName, features, stride, vae, bundleFile, publishTo, signingKey,
        championChallenger, 0);
  }

  /** A request that publishes unsigned and promotes every version. */
  public TrainingRequest(HistorySource source, String modelName, List<String> features,
      int stride, VaeConfig vae, String bundleFile, PublishTarget publishTo) {
    this(source, modelName, features, stride, vae, bundleFile, publishTo, null, null);
  }

  /**
   * Champion/challenger settings: the newest {@code validationFraction} of the history's time
   * span is held out; the new model (trained on the rest) is promoted only if its mean anomaly
   * score there is at most the active model's plus {@code tolerance} times its magnitude.
   *
   * @param validationFraction share of the time span held out, in (0, 0.9]
   * @param tolerance relative slack, at least 0
   */
  public record ChampionChallenger(double validationFraction, double tolerance) {

    /** Validates the settings. */
    public ChampionChallenger {
      if (!(validationFraction > 0 && validationFraction <= 0.9)) {
        throw new IllegalArgumentException("--challenger-holdout must be in (0, 0.9], was "
            + validationFraction);
      }
      if (!(tolerance >= 0)) {
        throw new IllegalArgumentException("--promotion-tolerance must not be negative");
      }
    }
  }

  /** Validates the request. */
  public TrainingRequest {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(vae, "vae");
    features = features == null ? List.of() : List.copyOf(features);
    if (modelName == null || modelName.isBlank()) {
      throw new IllegalArgumentException("a model name is required");
    }
    if (stride < 1) {
      throw new IllegalArgumentException("stride must be at least 1, was " + stride);
    }
    if (fineTuneEpochs < 0) {
      throw new IllegalArgumentException("--fine-tune-epochs must not be negative, was "
          + fineTuneEpochs);
    }
    if (!(fineTuneLearningRate >= 0) || Double.isInfinite(fineTuneLearningRate)) {
      throw new IllegalArgumentException("--fine-tune-learning-rate must be positive, was "
          + fineTuneLearningRate);
    }
    if (fineTuneLearningRate == 0) {
      fineTuneLearningRate = vae.learningRate() / 10;
    }
    if (fineTuneEpochs > 0 && publishTo == null) {
      throw new IllegalArgumentException("--fine-tune-epochs starts from the model on the models"
          + " topic; it cannot be combined with --no-publish");
    }
    if (bundleFile == null && publishTo == null) {
      throw new IllegalArgumentException("nothing to do: give a bundle file, a models topic, or both");
    }
  }

  /** The bundle file for a version, or null when none is to be written. */
  public Path bundleFileFor(long version) {
    return bundleFile == null ? null : Path.of(bundleFile.replace("{name}", modelName)
        .replace("{version}", Long.toString(version)));
  }

  /**
   * A models topic on a cluster.
   *
   * @param clientProperties Kafka client settings (bootstrap servers, security)
   * @param topic the models topic
   */
  public record PublishTarget(Map<String, Object> clientProperties, String topic) {

    /** Validates the target. */
    public PublishTarget {
      clientProperties = Map.copyOf(clientProperties);
      Objects.requireNonNull(topic, "topic");
    }
  }
}
