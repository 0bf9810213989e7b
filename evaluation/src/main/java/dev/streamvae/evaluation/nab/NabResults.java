package dev.streamvae.evaluation.nab;

import dev.streamvae.evaluation.data.Csv;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Detector results in NAB's layout, so that NAB's own scorer ({@code python run.py -d DETECTOR
 * --optimize --score --normalize} with {@code --resultsDir DIR/results}) can read them:
 * {@code DIR/results/<detector>/<category>/<detector>_<file>.csv} with the columns
 * {@code timestamp,value,anomaly_score,label}, one row per record of the data file, timestamps
 * and values exactly as in the data file.
 */
public final class NabResults {

  /** The header of a results file. */
  public static final String HEADER = "timestamp,value,anomaly_score,label";

  private NabResults() {}

  /** Where the results of {@code detector} on {@code file} live under {@code outDir}. */
  public static Path path(Path outDir, String detector, NabFile file) {
    Path dir = outDir.resolve("results").resolve(detector);
    if (!file.category().isEmpty()) {
      dir = dir.resolve(file.category());
    }
    return dir.resolve(detector + "_" + file.fileName());
  }

  /**
   * Writes one results file.
   *
   * @param anomalyScores one per record, each in [0, 1]
   * @return the file written
   */
  public static Path write(Path outDir, String detector, NabFile file, double[] anomalyScores)
      throws IOException {
    if (anomalyScores.length != file.size()) {
      throw new IllegalArgumentException(file.relativePath() + ": " + file.size()
          + " records but " + anomalyScores.length + " anomaly scores");
    }
    Path path = path(outDir, detector, file);
    Files.createDirectories(path.getParent());
    String[] ts = file.timestampText();
    String[] values = file.valueText();
    int[] labels = file.labels();
    try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
      out.write(HEADER);
      out.write('\n');
      for (int i = 0; i < ts.length; i++) {
        double s = anomalyScores[i];
        if (!(s >= 0 && s <= 1)) {
          throw new IllegalArgumentException(file.relativePath() + ": anomaly score " + s
              + " of record " + i + " is not in [0, 1]");
        }
        out.write(Csv.quote(ts[i]));
        out.write(',');
        out.write(Csv.quote(values[i]));
        out.write(',');
        out.write(Csv.number(s));
        out.write(',');
        out.write(Integer.toString(labels[i]));
        out.write('\n');
      }
    }
    return path;
  }

  /**
   * Reads the {@code anomaly_score} column of one results file (NAB's published results carry
   * extra {@code S(t)_*} columns; they are ignored). Rows pair with the data file's records by
   * position, as in NAB's scorer, which takes its timestamps from the data file: some published
   * results list the repeated timestamps of {@code machine_temperature_system_failure.csv} in
   * another order than the data file.
   *
   * @throws IllegalArgumentException when the file does not have one row per record or a score
   *     is outside [0, 1]
   */
  public static double[] read(Path outDir, String detector, NabFile file) throws IOException {
    Path path = path(outDir, detector, file);
    double[] scores = new double[file.size()];
    try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String header = in.readLine();
      if (header == null) {
        throw new IllegalArgumentException(path + " is empty");
      }
      List<String> columns = Csv.split(header.strip());
      int scoreCol = columns.indexOf("anomaly_score");
      if (scoreCol < 0) {
        throw new IllegalArgumentException(path + ": no anomaly_score column");
      }
      String line;
      int row = 0;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        if (row >= scores.length) {
          throw new IllegalArgumentException(path + ": more rows than the data file's "
              + scores.length);
        }
        List<String> fields = Csv.split(line.strip());
        double s = Double.parseDouble(fields.get(scoreCol));
        if (!(s >= 0 && s <= 1)) {
          throw new IllegalArgumentException(path + ": anomaly score " + s + " in row "
              + (row + 1) + " is not in [0, 1]");
        }
        scores[row++] = s;
      }
      if (row != scores.length) {
        throw new IllegalArgumentException(path + ": " + row + " rows, the data file has "
            + scores.length);
      }
    }
    return scores;
  }
}
