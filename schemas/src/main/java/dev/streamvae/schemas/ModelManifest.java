package dev.streamvae.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The metadata of a model bundle: what a scorer needs to know about a model before loading its
 * payload, and what an operator sees on the model endpoint. Carried in the envelope on the
 * {@code anomaly-models} topic, keyed by {@code modelName}.
 *
 * <p>Primitive components are {@code @JsonProperty(required = true)}: otherwise Jackson decodes a
 * missing one as 0 or false instead of rejecting the record.
 *
 * @param formatVersion version of the bundle format that wrote this manifest
 * @param modelName the model's name; the models topic key
 * @param version version number, one higher than the newest already published under the name
 * @param createdAt when the trainer built the bundle, epoch milliseconds
 * @param features metric names, in the order the model reads them
 * @param windowLength records per window
 * @param stride step between training windows, in records
 * @param latentDim size of the latent mean vector
 * @param mcSamples Monte Carlo samples L used for the reconstruction log-probability
 * @param threshold anomaly threshold on the anomaly score (negative log-probability)
 * @param thresholdMethod how the threshold was calibrated, e.g. {@code quantile(0.995)}
 * @param training what the model was trained on
 * @param payloadSha256 hex SHA-256 of the payload bytes
 * @param payloadSize payload length in bytes
 * @param libraryVersions versions of the libraries that trained the model
 * @param trainingSeries ids of the series the model was trained on (format 2; null in format 1)
 * @param conditioning the condition input the model reads besides the window, {@code none} when
 *     it reads none, else the condition and the zone whose clock it reads, e.g.
 *     {@code time-of-week@UTC} (format 2; null in format 1, which means none)
 * @param normalisation per-feature normalisation (format 2)
 * @param validation metrics on held-out windows, e.g. {@code meanAnomalyScore} (format 2; null
 *     when there was no validation range)
 * @param referenceWindows training windows with the trainer's scores, reproduced by a scorer
 *     before activation (format 2)
 * @param promotion the trainer's champion/challenger decision; null means promoted (format 2)
 * @param signingKeyId id of the Ed25519 key that signed the envelope, or null when unsigned
 *     (format 2); the signature itself follows the payload in the envelope
 * @param trainingOptions the trainer's model options that shape how the model scores or was
 *     fitted (e.g. {@code centreWindows}, {@code maxMissing}, {@code beta},
 *     {@code klAnnealEpochs}, {@code freeBits}, {@code patience}), as text; empty when unknown
 * @param scoreBaseline where a scorer's per-series surprise starts for this model, or null from a
 *     trainer before it (a scorer then reports no surprise)
 */
public record ModelManifest(
    @JsonProperty(required = true) int formatVersion,
    String modelName,
    @JsonProperty(required = true) long version,
    @JsonProperty(required = true) long createdAt,
    List<String> features,
    @JsonProperty(required = true) int windowLength,
    @JsonProperty(required = true) int stride,
    @JsonProperty(required = true) int latentDim,
    @JsonProperty(required = true) int mcSamples,
    @JsonProperty(required = true) double threshold,
    String thresholdMethod,
    TrainingSummary training,
    String payloadSha256,
    @JsonProperty(required = true) long payloadSize,
    Map<String, String> libraryVersions,
    List<String> trainingSeries,
    String conditioning,
    Normalisation normalisation,
    Map<String, Double> validation,
    List<ReferenceWindow> referenceWindows,
    Promotion promotion,
    String signingKeyId,
    Map<String, String> trainingOptions,
    ScoreBaseline scoreBaseline) {

  /** Validates the invariants every consumer relies on. */
  public ModelManifest {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(payloadSha256, "payloadSha256");
    features = List.copyOf(features);
    libraryVersions = libraryVersions == null ? Map.of() : Map.copyOf(libraryVersions);
    trainingSeries = trainingSeries == null ? null : List.copyOf(trainingSeries);
    validation = validation == null ? null : Map.copyOf(validation);
    referenceWindows = referenceWindows == null ? null : List.copyOf(referenceWindows);
    trainingOptions = trainingOptions == null ? Map.of()
        : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(trainingOptions));
    if (modelName.isBlank()) {
      throw new IllegalArgumentException("modelName must not be blank");
    }
    if (features.isEmpty()) {
      throw new IllegalArgumentException("features must not be empty");
    }
    if (windowLength < 1 || stride < 1 || latentDim < 1 || mcSamples < 1) {
      throw new IllegalArgumentException(
          "windowLength, stride, latentDim and mcSamples must be positive");
    }
    if (version < 0) {
      throw new IllegalArgumentException("version must not be negative");
    }
  }

  /** A format-1 manifest: the fields format 2 added are null. */
  public ModelManifest(int formatVersion, String modelName, long version, long createdAt,
      List<String> features, int windowLength, int stride, int latentDim, int mcSamples,
      double threshold, String thresholdMethod, TrainingSummary training, String payloadSha256,
      long payloadSize, Map<String, String> libraryVersions) {
    this(formatVersion, modelName, version, createdAt, features, windowLength, stride, latentDim,
        mcSamples, threshold, thresholdMethod, training, payloadSha256, payloadSize,
        libraryVersions, null, null, null, null, null, null, null, null, null);
  }

  /** A manifest without a score baseline, as trainers before it wrote. */
  public ModelManifest(int formatVersion, String modelName, long version, long createdAt,
      List<String> features, int windowLength, int stride, int latentDim, int mcSamples,
      double threshold, String thresholdMethod, TrainingSummary training, String payloadSha256,
      long payloadSize, Map<String, String> libraryVersions, List<String> trainingSeries,
      String conditioning, Normalisation normalisation, Map<String, Double> validation,
      List<ReferenceWindow> referenceWindows, Promotion promotion, String signingKeyId,
      Map<String, String> trainingOptions) {
    this(formatVersion, modelName, version, createdAt, features, windowLength, stride, latentDim,
        mcSamples, threshold, thresholdMethod, training, payloadSha256, payloadSize,
        libraryVersions, trainingSeries, conditioning, normalisation, validation,
        referenceWindows, promotion, signingKeyId, trainingOptions, null);
  }

  /** This manifest with another version number; the payload is unchanged. */
  public ModelManifest withVersion(long newVersion) {
    return new ModelManifest(formatVersion, modelName, newVersion, createdAt, features,
        windowLength, stride, latentDim, mcSamples, threshold, thresholdMethod, training,
        payloadSha256, payloadSize, libraryVersions, trainingSeries, conditioning, normalisation,
        validation, referenceWindows, promotion, signingKeyId, trainingOptions, scoreBaseline);
  }

  /** This manifest naming another signing key (null: unsigned). */
  public ModelManifest withSigningKeyId(String keyId) {
    return new ModelManifest(formatVersion, modelName, version, createdAt, features,
        windowLength, stride, latentDim, mcSamples, threshold, thresholdMethod, training,
        payloadSha256, payloadSize, libraryVersions, trainingSeries, conditioning, normalisation,
        validation, referenceWindows, promotion, keyId, trainingOptions, scoreBaseline);
  }

  /** This manifest with another champion/challenger decision. */
  public ModelManifest withPromotion(Promotion newPromotion) {
    return new ModelManifest(formatVersion, modelName, version, createdAt, features,
        windowLength, stride, latentDim, mcSamples, threshold, thresholdMethod, training,
        payloadSha256, payloadSize, libraryVersions, trainingSeries, conditioning, normalisation,
        validation, referenceWindows, newPromotion, signingKeyId, trainingOptions, scoreBaseline);
  }

  /** This manifest with these training options added to (or replacing) its own. */
  public ModelManifest withTrainingOptions(Map<String, String> more) {
    Map<String, String> merged = new java.util.TreeMap<>(trainingOptions);
    merged.putAll(more);
    return new ModelManifest(formatVersion, modelName, version, createdAt, features,
        windowLength, stride, latentDim, mcSamples, threshold, thresholdMethod, training,
        payloadSha256, payloadSize, libraryVersions, trainingSeries, conditioning, normalisation,
        validation, referenceWindows, promotion, signingKeyId, merged, scoreBaseline);
  }

  /** This manifest with other validation metrics. */
  public ModelManifest withValidation(Map<String, Double> newValidation) {
    return new ModelManifest(formatVersion, modelName, version, createdAt, features,
        windowLength, stride, latentDim, mcSamples, threshold, thresholdMethod, training,
        payloadSha256, payloadSize, libraryVersions, trainingSeries, conditioning, normalisation,
        newValidation, referenceWindows, promotion, signingKeyId, trainingOptions, scoreBaseline);
  }

  /** This manifest with another score baseline (null: none, as from older trainers). */
  public ModelManifest withScoreBaseline(ScoreBaseline newBaseline) {
    return new ModelManifest(formatVersion, modelName, version, createdAt, features,
        windowLength, stride, latentDim, mcSamples, threshold, thresholdMethod, training,
        payloadSha256, payloadSize, libraryVersions, trainingSeries, conditioning, normalisation,
        validation, referenceWindows, promotion, signingKeyId, trainingOptions, newBaseline);
  }

  /** Whether scorers that follow the newest version may activate it without an operator. */
  public boolean promoted() {
    return promotion == null || promotion.promoted();
  }
}
