package dev.streamvae.evaluation;

import dev.streamvae.evaluation.pointwise.CsvEvaluation;
import dev.streamvae.evaluation.pointwise.LabelledCsv;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code evaluate csv}: point-wise metrics on a folder of labelled CSVs. */
@Command(name = "csv", mixinStandardHelpOptions = true, sortOptions = false,
    version = "streamvae 0.1.0",
    description = {
        "Run detectors on every CSV under a folder (a timestamp column, one or more value"
            + " columns, a 0/1 label column) and report precision, recall and F1 at the best"
            + " threshold and PR-AUC, all without point adjustment; the point-adjusted F1 is"
            + " printed beside them only for comparison with papers (it flatters every"
            + " detector: Kim et al., AAAI 2022).",
        "The first min(floor(train-fraction * n), train-max) records of each file are the"
            + " detector's training period and are not measured."})
public final class EvaluateCsvCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "Folder of labelled CSV files (searched recursively).")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output folder for results/ and summary.json.")
  Path out;

  @Option(names = "--label-column", defaultValue = "label",
      description = "Name of the 0/1 label column (default: ${DEFAULT-VALUE}).")
  String labelColumn;

  @Option(names = "--timestamp-column",
      description = "Name of the timestamp column (default: the first column).")
  String timestampColumn;

  @Option(names = "--train-fraction", defaultValue = "0.15",
      description = "Fraction of each file used for training (default: ${DEFAULT-VALUE}).")
  double trainFraction;

  @Option(names = "--train-max", defaultValue = "750", paramLabel = "RECORDS",
      description = "At most this many training records per file (default: ${DEFAULT-VALUE}).")
  int trainMax;

  @Mixin
  DetectorOptions detectorOptions = new DetectorOptions();

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    if (!(trainFraction >= 0 && trainFraction < 1)) {
      throw new IllegalArgumentException("--train-fraction must be in [0, 1), was "
          + trainFraction);
    }
    if (trainMax < 0) {
      throw new IllegalArgumentException("--train-max must be >= 0, was " + trainMax);
    }
    if (!Files.isDirectory(data)) {
      throw new IllegalArgumentException("--data " + data + " is not a folder");
    }
    List<String> names = detectorOptions.names();
    List<String> paths = LabelledCsv.list(data);
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("no .csv file under " + data);
    }
    List<LabelledCsv> files = new ArrayList<>();
    for (String p : paths) {
      files.add(LabelledCsv.read(data, p, timestampColumn, labelColumn));
    }
    Files.createDirectories(out);
    long started = System.nanoTime();
    List<CsvEvaluation.DetectorOutcome> outcomes = new ArrayList<>();
    for (String name : names) {
      outcomes.add(CsvEvaluation.run(detectorOptions.create(name), files, trainFraction,
          trainMax, out, stderr));
    }
    double wall = (System.nanoTime() - started) / 1e9;
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    summary.put("data", data.toAbsolutePath().normalize().toString());
    summary.put("files", files.size());
    summary.put("trainPeriod", "min(floor(" + trainFraction + " * records), " + trainMax
        + ") per file, not measured");
    summary.put("metrics", Map.of(
        "bestF1", "best F1 over thresholds (score >= threshold), no point adjustment;"
            + " precision, recall and threshold are at that F1",
        "prAuc", "average precision: step-wise area under the precision-recall curve",
        "pointAdjustedBestF1", "best F1 after point adjustment (a labelled segment counts as"
            + " detected when any of its records is); flatters every detector (Kim et al.,"
            + " AAAI 2022); for comparison only",
        "pooled", "all files' measured records together, one threshold",
        "files", "each file on its own, with its own best threshold"));
    summary.put("settings", detectorOptions.describe(names));
    summary.put("wallSeconds", Math.round(wall * 10) / 10.0);
    Map<String, Object> byDetector = new LinkedHashMap<>();
    for (CsvEvaluation.DetectorOutcome o : outcomes) {
      byDetector.put(o.detector(), o);
    }
    summary.put("detectors", byDetector);
    Path summaryPath = out.resolve("summary.json");
    EvaluateCommand.writeJson(summaryPath, summary);

    stdout.printf(Locale.ROOT, "%d files, all measured records pooled, one threshold per"
        + " detector; no point adjustment except the last column%n", files.size());
    stdout.printf(Locale.ROOT, "%-10s %9s %9s %9s %9s %10s | %21s %9s%n", "detector",
        "precision", "recall", "best F1", "PR-AUC", "threshold", "point-adjusted F1 (PA)",
        "detect s");
    for (CsvEvaluation.DetectorOutcome o : outcomes) {
      CsvEvaluation.Metrics m = o.pooled();
      stdout.printf(Locale.ROOT, "%-10s %9s %9s %9s %9s %10s | %21s %9.1f%n", o.detector(),
          fmt(m.precision()), fmt(m.recall()), fmt(m.bestF1()), fmt(m.prAuc()),
          fmt(m.threshold()), fmt(m.pointAdjustedBestF1()), o.detectSeconds());
    }
    stdout.printf(Locale.ROOT, "wall time %.1f s; results under %s, summary %s%n", wall,
        out.resolve("results"), summaryPath);
    return 0;
  }

  private static String fmt(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
  }
}
