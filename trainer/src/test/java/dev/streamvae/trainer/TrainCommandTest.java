package dev.streamvae.trainer;

import dev.streamvae.commandline.CommandLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamvae.vae.ModelBundle;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {

  @TempDir
  Path dir;

  private record Run(int status, String err) {}

  private static Run run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = CommandLines.configure(new CommandLine(new TrainCommand()));
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    return new Run(cl.execute(args), err.toString());
  }

  @Test
  void anUnknownOptionIsAOneLineUsageError() {
    Run r = run("--windwo", "8");
    assertThat(r.status()).isEqualTo(CommandLines.USAGE_ERROR);
    assertThat(r.err()).startsWith("error: Unknown option").contains("'--windwo'")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void aBadInstantIsAOneLineUsageError() {
    Run r = run("--from", "yesterday", "--no-publish", "--out", dir.resolve("m").toString());
    assertThat(r.status()).isEqualTo(CommandLines.USAGE_ERROR);
    assertThat(r.err()).contains("--from 'yesterday' is not an ISO-8601 instant")
        .doesNotContain("\tat ");
  }

  @Test
  void aNegativeFineTuneLearningRateIsAOneLineUsageError() throws java.io.IOException {
    Run r = run("--csv", sineCsv("lr.csv", 60_000).toString(), "--no-publish", "--out",
        dir.resolve("m").toString(), "--fine-tune-learning-rate", "-0.1");
    assertThat(r.status()).isEqualTo(CommandLines.USAGE_ERROR);
    assertThat(r.err().strip()).isEqualTo("error: --fine-tune-learning-rate must be positive,"
        + " was -0.1");
  }

  @Test
  void aMissingFileIsAOneLineRunError() {
    Run r = run("--csv", dir.resolve("absent.csv").toString(), "--no-publish", "--out",
        dir.resolve("m").toString());
    assertThat(r.status()).isEqualTo(CommandLines.RUN_ERROR);
    assertThat(r.err().strip()).startsWith("error: no such file:").doesNotContain("\n");
  }

  /** 300 records of a sine, one every {@code stepMillis}, as a timestamp,value CSV. */
  private Path sineCsv(String name, long stepMillis) throws java.io.IOException {
    StringBuilder csv = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 300; i++) {
      csv.append(i * stepMillis).append(',').append(Math.sin(i / 5.0)).append('\n');
    }
    return Files.writeString(dir.resolve(name), csv);
  }

  @Test
  void trainsFromCsvAndWritesALoadableBundle() throws Exception {
    Path file = sineCsv("series.csv", 60_000L);
    Path out = dir.resolve("model.svae");
    Run r = run("--csv", file.toString(), "--no-publish", "--out", out.toString(),
        "--window", "8", "--epochs", "2", "--hidden", "8", "--latent", "2",
        "--model-name", "csvmodel");
    assertThat(r.status()).as(r.err()).isZero();
    ModelBundle bundle = ModelBundle.readFrom(out);
    assertThat(bundle.manifest().modelName()).isEqualTo("csvmodel");
    assertThat(bundle.manifest().version()).isEqualTo(1);
    assertThat(bundle.manifest().windowLength()).isEqualTo(8);
    assertThat(bundle.manifest().training().windowCount()).isEqualTo(300 - 8 + 1);
    assertThat(bundle.load().features()).containsExactly("value");
    // Every run that writes a bundle writes its training report beside it.
    assertThat(Files.readString(dir.resolve("model.html"))).startsWith("<!DOCTYPE html>")
        .contains("Model 'csvmodel' version 1", "<svg");
  }

  @Test
  void theModelOptionsReachTheTrainedModel() throws Exception {
    Path file = sineCsv("series.csv", 60_000L);
    Path out = dir.resolve("model.svae");
    Run r = run("--csv", file.toString(), "--no-publish", "--out", out.toString(),
        "--window", "8", "--epochs", "3", "--hidden", "8", "--latent", "2",
        "--threshold-method", "POT", "--threshold-quantile", "0.9", "--threshold-risk", "0.001",
        "--centre-windows", "--kl-anneal-epochs", "2", "--free-bits", "0.1",
        "--validation-fraction", "0.2", "--patience", "1");
    assertThat(r.status()).as(r.err()).isZero();
    ModelBundle bundle = ModelBundle.readFrom(out);
    assertThat(bundle.manifest().thresholdMethod()).startsWith("pot(risk=0.001, u=quantile(0.9)");
    // A level the series never had is ordinary for a model of centred windows.
    float[] window = new float[8];
    float[] raised = new float[8];
    for (int i = 0; i < 8; i++) {
      window[i] = (float) Math.sin(i / 5.0);
      raised[i] = window[i] + 50;
    }
    var model = bundle.load();
    assertThat(model.score(new float[][] {raised}).logProbability(0))
        .isCloseTo(model.score(new float[][] {window}).logProbability(0),
            org.assertj.core.data.Offset.offset(1e-3));

    Run alert = run("--csv", file.toString(), "--no-publish", "--out", out.toString(),
        "--window", "8", "--epochs", "1", "--hidden", "8", "--latent", "2",
        "--target-alert-rate", "0.05");
    assertThat(alert.status()).as(alert.err()).isZero();
    assertThat(ModelBundle.readFrom(out).manifest().thresholdMethod())
        .isEqualTo("quantile(0.95)");

    Run bad = run("--csv", file.toString(), "--no-publish", "--patience", "2");
    assertThat(bad.status()).isNotZero();
    assertThat(bad.err().strip()).contains("validationFraction").doesNotContain("\n");
  }

  @Test
  void theArchitectureAndConditionFlagsReachTheModel() throws Exception {
    Path file = sineCsv("hourly.csv", 3_600_000L);
    Path out = dir.resolve("conditional.svae");
    Run r = run("--csv", file.toString(), "--no-publish", "--out", out.toString(),
        "--window", "8", "--epochs", "2", "--hidden", "4,8", "--latent", "2",
        "--architecture", "conv1d", "--condition", "time-of-week",
        "--condition-zone", "Europe/Berlin", "--score-target", "window");
    assertThat(r.status()).as(r.err()).isZero();
    ModelBundle bundle = ModelBundle.readFrom(out);
    assertThat(bundle.manifest().trainingOptions()).containsEntry("scoreTarget", "WINDOW");
    assertThat(bundle.manifest().conditioning()).isEqualTo("time-of-week@Europe/Berlin");
    assertThat(bundle.manifest().trainingOptions()).containsEntry("architecture", "CONV1D");
    var model = bundle.load();
    assertThat(model.architecture()).isEqualTo(dev.streamvae.vae.VaeConfig.ArchitectureKind.CONV1D);
    assertThat(model.scoreTarget()).isEqualTo(dev.streamvae.vae.VaeConfig.ScoreTarget.WINDOW);
    assertThat(model.conditional()).isTrue();
    assertThat(bundle.verifyReferences(model, 1e-5)).isPositive();
    // The condition is read: the same window at another hour scores differently.
    float[] window = new float[8];
    for (int i = 0; i < 8; i++) {
      window[i] = (float) Math.sin(i / 5.0);
    }
    double atMidnight = model.score(new float[][] {window}, new long[] {0L}).logProbability(0);
    double atNoon = model.score(new float[][] {window}, new long[] {12 * 3_600_000L})
        .logProbability(0);
    assertThat(atNoon).isNotEqualTo(atMidnight);

    Run plain = run("--csv", file.toString(), "--no-publish", "--out", out.toString(),
        "--window", "8", "--epochs", "1", "--hidden", "8", "--latent", "2");
    assertThat(plain.status()).as(plain.err()).isZero();
    ModelBundle defaults = ModelBundle.readFrom(out);
    assertThat(defaults.manifest().conditioning()).isEqualTo("none");
    assertThat(defaults.manifest().trainingOptions()).containsEntry("architecture", "DENSE");
    assertThat(defaults.manifest().trainingOptions()).containsEntry("scoreTarget", "LAST_RECORD");

    Run bad = run("--csv", file.toString(), "--no-publish", "--condition", "time-of-day");
    assertThat(bad.status()).isEqualTo(CommandLines.USAGE_ERROR);
    assertThat(bad.err().lines().findFirst().orElse("")).contains("'--condition'")
        .contains("time-of-week");
    assertThat(bad.err()).doesNotContain("\tat ");
    Run badZone = run("--csv", file.toString(), "--no-publish", "--condition-zone", "Mars/Base");
    assertThat(badZone.status()).isEqualTo(CommandLines.USAGE_ERROR);
    assertThat(badZone.err().lines().findFirst().orElse("")).contains("time zone");
    assertThat(badZone.err()).doesNotContain("\tat ");
  }

  @Test
  void aScheduleCannotBeCombinedWithAFixedRange() {
    Run r = run("--every", "1h", "--from", "2026-11-01T00:00:00Z");
    assertThat(r.status()).isEqualTo(CommandLines.USAGE_ERROR);
    assertThat(r.err()).contains("--every reads the last --lookback").doesNotContain("\tat ");
  }
}
