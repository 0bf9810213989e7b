package dev.streamvae.vae;

import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.schemas.Normalisation;
import dev.streamvae.schemas.ReferenceWindow;
import dev.streamvae.schemas.ScoreBaseline;
import dev.streamvae.schemas.TrainingSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of {@link VaeTrainer#train}: the scoring model, the per-epoch history, the data it
 * was trained on, and the means to package all of it as a versioned {@link ModelBundle}.
 */
public final class TrainedModel {

  /** The ND4J / Deeplearning4j release this module is built and tested against. */
  public static final String DL4J_VERSION = "1.0.0-M2.1";
  /** The manifest's {@code conditioning} of a model that reads the window alone. */
  public static final String CONDITIONING_NONE = "none";
  /** Reference windows written into each manifest. */
  static final int REFERENCE_WINDOWS = 8;

  private final AnomalyModel model;
  private final List<EpochStats> history;
  private final TrainingSet data;
  private final VaeConfig config;
  private final long durationMillis;
  private final String thresholdMethod;
  private final ScoreBaseline scoreBaseline;

  TrainedModel(AnomalyModel model, List<EpochStats> history, TrainingSet data, VaeConfig config,
      long durationMillis, String thresholdMethod, ScoreBaseline scoreBaseline) {
    this.scoreBaseline = Objects.requireNonNull(scoreBaseline, "scoreBaseline");
    this.thresholdMethod = Objects.requireNonNull(thresholdMethod, "thresholdMethod");
    this.model = model;
    this.history = List.copyOf(history);
    this.data = data;
    this.config = config;
    this.durationMillis = durationMillis;
  }

  /** The trained, calibrated scorer. */
  public AnomalyModel model() {
    return model;
  }

  /** One entry per epoch, in order. */
  public List<EpochStats> history() {
    return history;
  }

  /** The windows the model was trained on. */
  public TrainingSet data() {
    return data;
  }

  /** The configuration it was trained with. */
  public VaeConfig config() {
    return config;
  }

  /** Wall-clock time of the whole training run, threshold calibration included. */
  public long durationMillis() {
    return durationMillis;
  }

  /**
   * How the threshold was set, as written into the manifest, e.g. {@code quantile(0.995)} or
   * {@code pot(risk=1.0E-4, u=quantile(0.98), xi=0.12, sigma=3.4, excesses=61)}.
   */
  public String thresholdMethod() {
    return thresholdMethod;
  }

  /**
   * Where a scorer's per-series surprise starts for this model ({@link ScoreSurprise}): the scale
   * of its scores and the moments of its training windows' scores on that scale, as written into
   * the manifest.
   */
  public ScoreBaseline scoreBaseline() {
    return scoreBaseline;
  }

  /**
   * Packages the model as a bundle ready to publish.
   *
   * @param modelName the model's name (the models topic key)
   * @param version version number, non-negative
   * @param createdAt creation time written into the manifest
   */
  public ModelBundle toBundle(String modelName, long version, Instant createdAt) {
    Objects.requireNonNull(createdAt, "createdAt");
    byte[] payload = PayloadCodec.encode(model);
    EpochStats last = history.get(history.size() - 1);
    TrainingSummary summary = new TrainingSummary(data.dataFrom(), data.dataTo(),
        data.seriesCount(), data.windowCount(), history.size(), last.loss(),
        last.reconstruction(), last.kl(), durationMillis);
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("dl4j", DL4J_VERSION);
    versions.put("nd4j", DL4J_VERSION);
    versions.put("java", System.getProperty("java.version"));
    versions.put("payloadFormat", String.valueOf(PayloadCodec.formatOf(model)));
    Normalisation normalisation = new Normalisation("z-score",
        ModelBundle.asDoubles(model.normaliser().means()),
        ModelBundle.asDoubles(model.normaliser().stds()));
    ModelManifest manifest = new ModelManifest(ModelBundle.FORMAT_VERSION, modelName, version,
        createdAt.toEpochMilli(), model.features(), model.windowLength(), data.stride(),
        model.latentDim(), model.mcSamples(), model.threshold(), thresholdMethod(), summary,
        ModelBundle.sha256Hex(payload), payload.length, versions, data.seriesIds(),
        model.conditioningLabel(), normalisation, null, referenceWindows(), null, null,
        trainingOptions(), scoreBaseline);
    return ModelBundle.of(manifest, payload);
  }

  /**
   * Up to {@value #REFERENCE_WINDOWS} training windows spread evenly over the training set, with
   * this model's log-probability of each: a scorer must reproduce them before serving the model.
   * A conditional model's windows carry the timestamp their condition was derived from.
   */
  private List<ReferenceWindow> referenceWindows() {
    float[][] all = data.windowsUnsafe();
    long[] ends = data.windowEndsUnsafe();
    int count = Math.min(REFERENCE_WINDOWS, all.length);
    float[][] picked = new float[count][];
    long[] timestamps = new long[count];
    for (int i = 0; i < count; i++) {
      int row = (int) ((long) i * all.length / count);
      picked[i] = all[row];
      timestamps[i] = ends[row];
    }
    ScoreBatch batch = model.score(picked, timestamps);
    List<ReferenceWindow> refs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      if (batch.isScored(i) && Double.isFinite(batch.logProbability(i))) {
        refs.add(new ReferenceWindow(ModelBundle.asDoubles(picked[i]), batch.logProbability(i),
            model.conditional() ? timestamps[i] : null));
      }
    }
    return refs;
  }

  /** The model options recorded in the manifest, as text. */
  Map<String, String> trainingOptions() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("architecture", config.architecture().name());
    o.put("beta", String.valueOf(config.beta()));
    o.put("centreWindows", String.valueOf(config.centreWindows()));
    o.put("conditioning", config.conditioning().name());
    if (config.conditional()) {
      o.put("conditionZone", config.conditionZone().getId());
    }
    o.put("freeBits", String.valueOf(config.freeBits()));
    o.put("klAnnealEpochs", String.valueOf(config.klAnnealEpochs()));
    o.put("maxMissing", String.valueOf(config.maxMissing()));
    o.put("patience", String.valueOf(config.patience()));
    if (config.minSteps() > 0) {
      o.put("minSteps", String.valueOf(config.minSteps()));
    }
    o.put("reconstruction", config.reconstruction().name());
    o.put("scoreTarget", config.scoreTarget().name());
    o.put("validationFraction", String.valueOf(config.validationFraction()));
    return o;
  }

  static String formatQuantile(double q) {
    String s = String.format(Locale.ROOT, "%.6f", q);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s + "0" : s;
  }
}
