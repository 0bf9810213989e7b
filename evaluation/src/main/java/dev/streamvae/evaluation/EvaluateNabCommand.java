package dev.streamvae.evaluation;

import dev.streamvae.evaluation.detect.Detector;
import dev.streamvae.evaluation.nab.FileSweep;
import dev.streamvae.evaluation.nab.NabCorpus;
import dev.streamvae.evaluation.nab.NabEvaluation;
import dev.streamvae.evaluation.nab.NabProfile;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code evaluate nab}: run detectors on the NAB corpus and score them as NAB does. */
@Command(name = "nab", mixinStandardHelpOptions = true, sortOptions = false,
    version = "streamvae 0.1.0",
    description = {
        "Run detectors on the Numenta Anomaly Benchmark and score them as NAB's own scorer"
            + " does: one threshold per detector and profile optimised over all files,"
            + " normalised so that the null detector scores 0 and a perfect one 100.",
        "Writes OUT/results/<detector>/<category>/<detector>_<file>.csv (NAB's layout) and"
            + " OUT/summary.json, and prints a table."})
public final class EvaluateNabCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", paramLabel = "DIR",
      description = "NAB corpus root, holding data/ and labels/ (default: $"
          + NabCorpus.ENV + ", else the first shared/datasets/nab above the working"
          + " directory).")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output folder for results/ and summary.json.")
  Path out;

  @Option(names = "--files", split = ",", paramLabel = "GLOB",
      description = "Only the files whose path under data/ matches (e.g. 'realKnownCause/*',"
          + " 'nyc_*'); scores are then normalised over those files' windows.")
  List<String> files = new ArrayList<>();

  @Option(names = "--threads", paramLabel = "N",
      description = "Files detected at once; results do not depend on it (default: the"
          + " machine's processors).")
  Integer threads;

  @Option(names = "--score-existing",
      description = "Run no detector: score the results already under OUT/results/<detector>/"
          + " (any detector name, e.g. NAB's published results).")
  boolean scoreExisting;

  @Mixin
  DetectorOptions detectorOptions = new DetectorOptions();

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    int threadCount = threads();
    Path root = data != null ? data : NabCorpus.locate().orElseThrow(() ->
        new IllegalArgumentException("no NAB corpus found; pass --data DIR or set "
            + NabCorpus.ENV));
    List<String> names = scoreExisting ? detectorOptions.detectors : detectorOptions.names();
    if (names.isEmpty()) {
      throw new IllegalArgumentException("--detectors names no detector");
    }
    NabCorpus corpus = NabCorpus.load(root, files);
    int records = corpus.files().stream().mapToInt(f -> f.size()).sum();
    stderr.printf(Locale.ROOT, "NAB: %d files, %d records, %d windows from %s%n",
        corpus.files().size(), records, corpus.windowCount(), root);
    Files.createDirectories(out);
    long started = System.nanoTime();
    List<NabEvaluation.DetectorOutcome> outcomes = new ArrayList<>();
    for (String name : names) {
      if (scoreExisting) {
        outcomes.add(NabEvaluation.scoreExisting(name, corpus, out));
      } else {
        Detector detector = detectorOptions.create(name);
        outcomes.add(NabEvaluation.run(detector, corpus, out, stderr, threadCount));
      }
    }
    double wall = (System.nanoTime() - started) / 1e9;

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("benchmark", "Numenta Anomaly Benchmark (NAB) v1.1, scored as nab/sweeper.py,"
        + " nab/optimizer.py and nab/runner.py do");
    summary.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    summary.put("data", root.toAbsolutePath().normalize().toString());
    summary.put("fileFilter", files);
    summary.put("files", corpus.files().size());
    summary.put("records", records);
    summary.put("windows", corpus.windowCount());
    summary.put("probationaryPeriod", "min(floor(0.15 * records), 750) per file, not scored");
    summary.put("profiles", NabProfile.ALL);
    summary.put("scoreExisting", scoreExisting);
    if (!scoreExisting) {
      summary.put("settings", detectorOptions.describe(names));
    }
    summary.put("wallSeconds", round(wall));
    Map<String, Object> byDetector = new LinkedHashMap<>();
    for (NabEvaluation.DetectorOutcome o : outcomes) {
      byDetector.put(o.detector(), o);
    }
    summary.put("detectors", byDetector);
    Path summaryPath = out.resolve("summary.json");
    EvaluateCommand.writeJson(summaryPath, summary);

    stdout.println(table(outcomes, corpus.files().size(), corpus.windowCount()));
    stdout.printf(Locale.ROOT, "wall time %.1f s; results under %s, summary %s%n", wall,
        out.resolve("results"), summaryPath);
    return 0;
  }

  private int threads() {
    if (threads == null) {
      return Runtime.getRuntime().availableProcessors();
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be >= 1, was " + threads);
    }
    return threads;
  }

  static String table(List<NabEvaluation.DetectorOutcome> outcomes, int files, int windows) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "NAB scores (%d files, %d windows; 100 = perfect,"
        + " 0 = null detector; probationary %s%% of each file not scored)%n", files, windows,
        (int) (FileSweep.PROBATIONARY_PERCENT * 100)));
    sb.append(String.format(Locale.ROOT, "%-10s", "detector"));
    for (NabProfile p : NabProfile.ALL) {
      sb.append(String.format(Locale.ROOT, " %20s", p.name()));
    }
    sb.append(String.format(Locale.ROOT, " %22s %10s%n", "windows hit (standard)",
        "detect s"));
    for (NabEvaluation.DetectorOutcome o : outcomes) {
      sb.append(String.format(Locale.ROOT, "%-10s", o.detector()));
      for (NabProfile p : NabProfile.ALL) {
        NabEvaluation.ProfileOutcome po = o.profile(p.name());
        sb.append(po.score() == null
            ? String.format(Locale.ROOT, " %8s (t=%.4f)", "n/a", po.threshold())
            : String.format(Locale.ROOT, " %8.2f (t=%.4f)", po.score(), po.threshold()));
      }
      NabEvaluation.ProfileOutcome standard = o.profile(NabProfile.STANDARD.name());
      sb.append(String.format(Locale.ROOT, " %14d/%-3d fp %4d %10.1f%n",
          standard.windowsDetected(), standard.windows(), standard.falsePositives(),
          o.detectSeconds()));
    }
    return sb.toString().stripTrailing();
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
