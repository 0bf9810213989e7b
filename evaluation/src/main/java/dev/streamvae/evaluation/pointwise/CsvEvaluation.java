package dev.streamvae.evaluation.pointwise;

import dev.streamvae.evaluation.data.Csv;
import dev.streamvae.evaluation.detect.Detector;
import dev.streamvae.evaluation.detect.Series;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs detectors over a folder of labelled CSVs and reports point-wise metrics. Each file's first
 * {@code min(floor(trainFraction * n), trainMax)} records are the detector's training period and
 * are left out of every metric; the rest are pooled over all files for one threshold per
 * detector, and also measured per file.
 */
public final class CsvEvaluation {

  /**
   * Metrics of a set of records. Nullable fields are null where undefined (no positive record).
   *
   * @param records records measured
   * @param positives labelled records among them
   * @param bestF1 best F1 over thresholds, no point adjustment
   * @param precision precision at the best-F1 threshold
   * @param recall recall at the best-F1 threshold
   * @param threshold the best-F1 threshold
   * @param prAuc average precision (step-wise area under the precision-recall curve)
   * @param pointAdjustedBestF1 best F1 after point adjustment (flattering; for comparison with
   *     papers that report it only)
   */
  public record Metrics(long records, long positives, Double bestF1, Double precision,
      Double recall, Double threshold, Double prAuc, Double pointAdjustedBestF1) {}

  /**
   * One file's outcome.
   *
   * @param file path under the data folder
   * @param records records in the file
   * @param trainRecords records of the training period, not measured
   * @param detectMillis time the detector took
   * @param metrics the file's metrics with its own best threshold
   */
  public record FileOutcome(String file, int records, int trainRecords, long detectMillis,
      Metrics metrics) {}

  /**
   * A detector's outcome.
   *
   * @param detector its name
   * @param detectSeconds wall time detecting, all files
   * @param pooled metrics over the measured records of all files, one threshold
   * @param files per file
   */
  public record DetectorOutcome(String detector, double detectSeconds, Metrics pooled,
      List<FileOutcome> files) {}

  private CsvEvaluation() {}

  /** The training period of a file of {@code n} records. */
  public static int trainLength(int n, double trainFraction, int trainMax) {
    return (int) Math.min(Math.floor(trainFraction * n), trainMax);
  }

  /**
   * The timestamp column as epoch milliseconds, when every value is epoch milliseconds, an
   * ISO-8601 instant, or a zone-less date-time ({@code 2014-02-14 14:30:00} or ISO), read as
   * UTC; null otherwise (a detector that needs times then says so).
   */
  static long[] epochMillis(String[] text) {
    long[] out = new long[text.length];
    for (int i = 0; i < text.length; i++) {
      String t = text[i].strip();
      try {
        if (t.matches("-?\\d+")) {
          out[i] = Long.parseLong(t);
        } else if (t.endsWith("Z") || t.matches(".*[+-]\\d\\d:\\d\\d$")) {
          out[i] = java.time.OffsetDateTime.parse(t).toInstant().toEpochMilli();
        } else {
          out[i] = java.time.LocalDateTime.parse(t.replace(' ', 'T'))
              .toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
        }
      } catch (RuntimeException e) {
        return null;
      }
    }
    return out;
  }

  /**
   * Runs one detector on every file, writes
   * {@code outDir/results/<detector>/<dir>/<detector>_<file>.csv} (timestamp, values,
   * anomaly_score, label) and measures.
   */
  public static DetectorOutcome run(Detector detector, List<LabelledCsv> files,
      double trainFraction, int trainMax, Path outDir, PrintWriter progress) throws IOException {
    List<double[]> measuredScores = new ArrayList<>();
    List<boolean[]> measuredLabels = new ArrayList<>();
    List<double[]> adjustedScores = new ArrayList<>();
    List<FileOutcome> outcomes = new ArrayList<>();
    long started = System.nanoTime();
    for (int k = 0; k < files.size(); k++) {
      LabelledCsv file = files.get(k);
      int train = trainLength(file.size(), trainFraction, trainMax);
      long t0 = System.nanoTime();
      double[] scores = detector.detect(new Series(file.relativePath(), file.values(), train,
          epochMillis(file.timestamps())));
      long millis = (System.nanoTime() - t0) / 1_000_000;
      write(outDir, detector.name(), file, scores);
      double[] s = java.util.Arrays.copyOfRange(scores, train, scores.length);
      boolean[] l = java.util.Arrays.copyOfRange(file.labels(), train, scores.length);
      double[] adjusted = PointMetrics.pointAdjust(s, l);
      measuredScores.add(s);
      measuredLabels.add(l);
      adjustedScores.add(adjusted);
      outcomes.add(new FileOutcome(file.relativePath(), file.size(), train, millis,
          metrics(s, adjusted, l)));
      if (progress != null) {
        progress.printf(Locale.ROOT, "%-5s %3d/%d %-50s %7d records %7.1f s%n", detector.name(),
            k + 1, files.size(), file.relativePath(), file.size(), millis / 1000.0);
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Metrics pooled = metrics(concat(measuredScores), concat(adjustedScores),
        concatLabels(measuredLabels));
    return new DetectorOutcome(detector.name(), seconds, pooled, outcomes);
  }

  /** The metrics of scores (and their point-adjusted version) against labels. */
  public static Metrics metrics(double[] scores, double[] adjusted, boolean[] labels) {
    PointMetrics.BestF1 best = PointMetrics.bestF1(scores, labels);
    if (best.positives() == 0) {
      return new Metrics(best.records(), 0, null, null, null, null, null, null);
    }
    PointMetrics.BestF1 pa = PointMetrics.bestF1(adjusted, labels);
    return new Metrics(best.records(), best.positives(), best.f1(), best.precision(),
        best.recall(), best.threshold(), PointMetrics.averagePrecision(scores, labels), pa.f1());
  }

  private static void write(Path outDir, String detector, LabelledCsv file, double[] scores)
      throws IOException {
    String rel = file.relativePath();
    int slash = rel.lastIndexOf('/');
    Path dir = outDir.resolve("results").resolve(detector);
    if (slash >= 0) {
      dir = dir.resolve(rel.substring(0, slash));
    }
    Files.createDirectories(dir);
    Path path = dir.resolve(detector + "_" + rel.substring(slash + 1));
    try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
      StringBuilder header = new StringBuilder("timestamp");
      for (String c : file.valueColumns()) {
        header.append(',').append(Csv.quote(c));
      }
      out.write(header.append(",anomaly_score,label\n").toString());
      String[] ts = file.timestamps();
      double[][] values = file.values();
      boolean[] labels = file.labels();
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < ts.length; i++) {
        line.setLength(0);
        line.append(Csv.quote(ts[i]));
        for (double v : values[i]) {
          line.append(',').append(Csv.number(v));
        }
        line.append(',').append(Csv.number(scores[i])).append(',')
            .append(labels[i] ? '1' : '0').append('\n');
        out.write(line.toString());
      }
    }
  }

  private static double[] concat(List<double[]> parts) {
    return parts.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  private static boolean[] concatLabels(List<boolean[]> parts) {
    int n = parts.stream().mapToInt(p -> p.length).sum();
    boolean[] out = new boolean[n];
    int k = 0;
    for (boolean[] p : parts) {
      System.arraycopy(p, 0, out, k, p.length);
      k += p.length;
    }
    return out;
  }
}
