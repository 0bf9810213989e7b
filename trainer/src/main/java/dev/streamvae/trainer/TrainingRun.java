package dev.streamvae.trainer;

import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.schemas.Promotion;
import dev.streamvae.vae.AnomalyModel;
import dev.streamvae.vae.Backend;
import dev.streamvae.vae.EpochListener;
import dev.streamvae.vae.ModelBundle;
import dev.streamvae.vae.ScoreBatch;
import dev.streamvae.vae.SigningKeys;
import dev.streamvae.vae.TrainedModel;
import dev.streamvae.vae.TrainingReport;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One training run: read history, build windows, fit, optionally hold out the newest part of the
 * history and compare the new model with the one scorers serve (champion/challenger), sign, then
 * write and publish the bundle. The
 * version is chosen just before publishing, from the models topic, so a long fit cannot race
 * with its own version number.
 */
public final class TrainingRun {

  private final Clock clock;
  private final PrintStream out;

  /**
   * @param clock the time stamped on the bundle
   * @param out where progress lines go (the terminal, for the command)
   */
  public TrainingRun(Clock clock, PrintStream out) {
    this.clock = clock;
    this.out = out;
  }

  /**
   * What a run produced.
   *
   * @param bundle the bundle as published (with its final version)
   * @param trained the fitted model and its history
   * @param published where it was published, if it was
   */
  public record Result(ModelBundle bundle, TrainedModel trained,
      Optional<ModelPublisher.Published> published) {}

  /** The training report beside a bundle file: {@code x.svae} gives {@code x.html}. */
  static Path reportFileFor(Path bundleFile) {
    String name = bundleFile.getFileName().toString();
    String stem = name.endsWith(".svae") ? name.substring(0, name.length() - 5) : name;
    return bundleFile.resolveSibling(stem + ".html");
  }

  /** Runs the request, printing progress; epoch lines go through {@code listener}. */
  public Result run(TrainingRequest request, EpochListener listener) throws IOException {
    Backend backend = Backend.current();
    out.println("reading history: " + request.source().describe());
    History history = request.source().read();
    out.printf("read %d observations of %d series (%d records skipped)%n",
        history.observationCount(), history.series().size(), history.skippedRecords());
    List<String> features = request.features().isEmpty() ? history.commonFeatures()
        : request.features();
    if (features.isEmpty()) {
      throw new IllegalArgumentException("the history has no metric common to every record");
    }
    VaeConfig vae = request.vae().toBuilder().featureCount(features.size()).build();
    History trainingHistory = history;
    History validationHistory = null;
    TrainingRequest.ChampionChallenger cc = request.championChallenger();
    long[] span = history.timeSpan();
    long cut = 0;
    if (cc != null && span != null) {
      cut = span[1] - (long) ((span[1] - span[0]) * cc.validationFraction());
      trainingHistory = history.split(cut, true);
      validationHistory = history.split(cut, false);
    }
    TrainingSet data = trainingHistory.toTrainingSet(features, vae.windowLength(),
        request.stride(), vae.maxMissing());
    out.printf("training on %d windows of %d x %s; ND4J backend %s%n", data.windowCount(),
        vae.windowLength(), features, backend);
    ModelPublisher publisher = request.publishTo() == null ? null
        : new ModelPublisher(request.publishTo().clientProperties(), request.publishTo().topic());
    if (publisher != null) {
      publisher.ensureTopic();
    }
    Optional<FineTuneBase> warmStart = request.fineTuneEpochs() > 0
        ? fineTuneBase(publisher, request, features, vae) : Optional.empty();
    TrainedModel trained;
    if (warmStart.isPresent()) {
      // A fine-tuning runs exactly its epochs (--min-steps is for training from fresh weights),
      // at its own, lower learning rate.
      trained = VaeTrainer.train(data, vae.toBuilder().epochs(request.fineTuneEpochs())
          .minSteps(0).learningRate(request.fineTuneLearningRate()).build(), listener,
          warmStart.get().model());
    } else {
      trained = VaeTrainer.train(data, vae, listener);
    }

    long version = publisher == null ? 1 : publisher.latestVersion(request.modelName()) + 1;
    ModelBundle bundle = trained.toBundle(request.modelName(), version, clock.instant());
    if (warmStart.isPresent()) {
      bundle = bundle.withManifest(bundle.manifest().withTrainingOptions(Map.of(
          "fineTunedFrom", Long.toString(warmStart.get().version()),
          "fineTuneEpochs", Integer.toString(request.fineTuneEpochs()),
          "fineTuneLearningRate", Double.toString(request.fineTuneLearningRate()))));
    }
    if (validationHistory != null) {
      bundle = decide(bundle, trained, validationHistory, features, vae.windowLength(), cut,
          span[1], cc, publisher, request);
    }
    if (request.signingKey() != null) {
      bundle = bundle.signed(request.signingKey());
      out.println("signed with key " + bundle.manifest().signingKeyId());
    } else {
      out.println("warning: unsigned; scorers reject it unless scorer.models.allow-unsigned=true"
          + " (sign with --signing-key)");
    }
    out.printf("threshold %.3f (%s)%n", bundle.manifest().threshold(),
        bundle.manifest().thresholdMethod());
    Path file = request.bundleFileFor(version);
    if (file != null) {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      bundle.writeTo(file);
      out.println("wrote " + file);
      Path report = reportFileFor(file);
      TrainingReport.write(trained, "Model '" + request.modelName() + "' version " + version,
          report);
      out.println("wrote training report " + report);
    }
    Optional<ModelPublisher.Published> published = Optional.empty();
    if (publisher != null) {
      ModelPublisher.Published p = publisher.publish(bundle);
      out.printf("published model '%s' version %d to %s-%d@%d%s%n", request.modelName(),
          p.version(), p.topic(), p.partition(), p.offset(),
          bundle.manifest().promoted() ? "" : " as a held candidate (not promoted)");
      published = Optional.of(p);
    }
    return new Result(bundle, trained, published);
  }

  /** The trainer's own public key, the one a served version it compares with must carry. */
  private static Map<String, PublicKey> trustedKeys(TrainingRequest request) {
    return request.signingKey() == null ? Map.of()
        : Map.of(SigningKeys.keyId(request.signingKey().getPublic()),
            request.signingKey().getPublic());
  }

  /** The served version a fine-tuning starts from, loaded (and so verified) once. */
  private record FineTuneBase(long version, AnomalyModel model) {}

  /**
   * The champion to fine-tune, if there is one this training can start from: same features,
   * window and layers. Otherwise says why and returns empty (a full training follows).
   */
  private Optional<FineTuneBase> fineTuneBase(ModelPublisher publisher, TrainingRequest request,
      List<String> features, VaeConfig vae) {
    Map<String, PublicKey> trusted = trustedKeys(request);
    Optional<ModelBundle> champion = publisher.champion(request.modelName(), trusted);
    String reason;
    if (champion.isEmpty()) {
      reason = "no served version of '" + request.modelName() + "' yet";
    } else {
      ModelManifest m = champion.get().manifest();
      String base = "v" + m.version();
      if (!m.features().equals(features) || m.windowLength() != vae.windowLength()) {
        reason = base + " reads " + m.features() + " in windows of " + m.windowLength()
            + ", this training " + features + " in windows of " + vae.windowLength();
      } else {
        AnomalyModel model = champion.get().load();
        if (VaeTrainer.canWarmStart(model, vae)) {
          out.printf("fine-tuning %s for %d epochs%n", base, request.fineTuneEpochs());
          return Optional.of(new FineTuneBase(m.version(), model));
        }
        reason = base + " has other layers (hidden sizes, latent size, architecture or"
            + " conditioning)";
      }
    }
    out.println("fine-tune: " + reason + "; training from fresh weights for " + vae.epochs()
        + " epochs" + (vae.minSteps() > 0 ? " (at least " + vae.minSteps() + " steps)" : ""));
    return Optional.empty();
  }

  /**
   * Champion/challenger: scores the validation windows with the new model and with the version
   * scorers serve now, and writes the decision and its numbers into the manifest.
   */
  private ModelBundle decide(ModelBundle bundle, TrainedModel trained, History validation,
      List<String> features, int window, long from, long to,
      TrainingRequest.ChampionChallenger cc, ModelPublisher publisher,
      TrainingRequest request) {
    TrainingSet windows;
    try {
      windows = validation.toTrainingSet(features, window, 1);
    } catch (IllegalArgumentException e) {
      out.println("champion/challenger: no validation window (" + e.getMessage()
          + "); promoted");
      return bundle.withManifest(bundle.manifest().withPromotion(new Promotion(true,
          "no validation window in the held-out range", null, null, 0.0, from, to, 0)));
    }
    float[][] x = windows.windows();
    // Each window's last timestamp: what a conditional model reads besides the window.
    long[] ends = windows.windowEnds();
    double challenger = meanAnomalyScore(trained.model(), x, ends);
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("meanAnomalyScore", challenger);
    metrics.put("anomalyRate", anomalyRate(trained.model(), x, ends));
    metrics.put("windows", (double) x.length);
    Map<String, PublicKey> trusted = trustedKeys(request);
    Optional<ModelBundle> champion = publisher == null ? Optional.empty()
        : publisher.champion(request.modelName(), trusted);
    Promotion decision;
    if (champion.isEmpty()) {
      decision = new Promotion(true, String.format(Locale.ROOT, "no champion; challenger mean "
          + "anomaly score %.4f on %d windows", challenger, x.length), null, null, challenger,
          from, to, x.length);
    } else if (!champion.get().manifest().features().equals(features)
        || champion.get().manifest().windowLength() != window) {
      decision = new Promotion(true, "champion v" + champion.get().manifest().version()
          + " reads other features or windows; not comparable", champion.get().manifest()
          .version(), null, challenger, from, to, x.length);
    } else {
      AnomalyModel championModel = champion.get().load();
      double championScore = meanAnomalyScore(championModel, x, ends);
      boolean promoted = challenger <= championScore + cc.tolerance() * Math.abs(championScore);
      decision = new Promotion(promoted, String.format(Locale.ROOT,
          "challenger %.4f %s champion v%d %.4f (mean anomaly score on %d validation windows, "
              + "tolerance %.3f)", challenger, promoted ? "<=" : ">",
          champion.get().manifest().version(), championScore, x.length, cc.tolerance()),
          champion.get().manifest().version(), championScore, challenger, from, to, x.length);
    }
    out.println("champion/challenger: " + (decision.promoted() ? "PROMOTE" : "HOLD") + ": "
        + decision.reason());
    return bundle.withManifest(bundle.manifest().withValidation(metrics)
        .withPromotion(decision));
  }

  private static double meanAnomalyScore(AnomalyModel model, float[][] windows,
      long[] timestamps) {
    ScoreBatch batch = model.score(windows, timestamps);
    double sum = 0;
    int n = 0;
    for (int i = 0; i < batch.size(); i++) {
      if (batch.isScored(i) && Double.isFinite(batch.anomalyScore(i))) {
        sum += batch.anomalyScore(i);
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private static double anomalyRate(AnomalyModel model, float[][] windows, long[] timestamps) {
    ScoreBatch batch = model.score(windows, timestamps);
    int anomalies = 0;
    for (int i = 0; i < batch.size(); i++) {
      if (batch.isAnomaly(i)) {
        anomalies++;
      }
    }
    return windows.length == 0 ? 0 : (double) anomalies / windows.length;
  }
}
