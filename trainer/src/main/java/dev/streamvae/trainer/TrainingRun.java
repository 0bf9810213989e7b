package dev.streamvae.trainer;

import dev.streamvae.vae.Backend;
import dev.streamvae.vae.EpochListener;
import dev.streamvae.vae.ModelBundle;
import dev.streamvae.vae.TrainedModel;
import dev.streamvae.vae.TrainingReport;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * One training run: read history, build windows, fit, then write and publish the bundle. The
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
    TrainingSet data = history.toTrainingSet(features, vae.windowLength(), request.stride(),
        vae.maxMissing());
    out.printf("training on %d windows of %d x %s; ND4J backend %s%n", data.windowCount(),
        vae.windowLength(), features, backend);
    TrainedModel trained = VaeTrainer.train(data, vae, listener);

    ModelPublisher publisher = request.publishTo() == null ? null
        : new ModelPublisher(request.publishTo().clientProperties(), request.publishTo().topic());
    long version = 1;
    if (publisher != null) {
      publisher.ensureTopic();
      version = publisher.latestVersion(request.modelName()) + 1;
    }
    ModelBundle bundle = trained.toBundle(request.modelName(), version, clock.instant());
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
      out.printf("published model '%s' version %d to %s-%d@%d%n", request.modelName(),
          p.version(), p.topic(), p.partition(), p.offset());
      published = Optional.of(p);
    }
    return new Result(bundle, trained, published);
  }
}
