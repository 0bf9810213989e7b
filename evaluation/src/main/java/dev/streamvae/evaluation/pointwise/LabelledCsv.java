package dev.streamvae.evaluation.pointwise;

import dev.streamvae.evaluation.data.Csv;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A labelled CSV file: a timestamp column (kept as text), one or more numeric value columns and
 * a 0/1 label column. An empty value reads as NaN (the detectors score such records 0).
 *
 * @param relativePath path under the folder read, forward slashes
 * @param valueColumns names of the value columns, in file order
 * @param timestamps the timestamp column as written
 * @param values {@code values[t][f]}
 * @param labels 0/1 per record
 */
public record LabelledCsv(String relativePath, List<String> valueColumns, String[] timestamps,
    double[][] values, boolean[] labels) {

  /** Checks the shape. */
  public LabelledCsv {
    Objects.requireNonNull(relativePath, "relativePath");
    valueColumns = List.copyOf(valueColumns);
    if (timestamps.length != values.length || labels.length != values.length) {
      throw new IllegalArgumentException(relativePath + ": column lengths differ");
    }
  }

  /** Records in the file. */
  public int size() {
    return values.length;
  }

  /**
   * Reads one file.
   *
   * @param timestampColumn name of the timestamp column; null means the first column
   * @param labelColumn name of the label column
   * @throws IllegalArgumentException on a missing column, a non-numeric value or a label other
   *     than 0 or 1
   */
  public static LabelledCsv read(Path root, String relativePath, String timestampColumn,
      String labelColumn) throws IOException {
    Path file = root.resolve(relativePath);
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = in.readLine();
      if (header == null) {
        throw new IllegalArgumentException(file + " is empty");
      }
      if (header.startsWith("\uFEFF")) {
        header = header.substring(1);
      }
      List<String> columns = Csv.split(header.strip());
      int ts = timestampColumn == null ? 0 : columns.indexOf(timestampColumn);
      int label = columns.indexOf(labelColumn);
      if (ts < 0) {
        throw new IllegalArgumentException(file + ": no column '" + timestampColumn + "'");
      }
      if (label < 0) {
        throw new IllegalArgumentException(file + ": no label column '" + labelColumn + "'");
      }
      if (ts == label) {
        throw new IllegalArgumentException(file + ": the label column cannot be the timestamp");
      }
      List<Integer> valueIdx = new ArrayList<>();
      List<String> valueNames = new ArrayList<>();
      for (int c = 0; c < columns.size(); c++) {
        if (c != ts && c != label) {
          valueIdx.add(c);
          valueNames.add(columns.get(c));
        }
      }
      if (valueIdx.isEmpty()) {
        throw new IllegalArgumentException(file + ": no value column besides "
            + columns.get(ts) + " and " + labelColumn);
      }
      List<String> stamps = new ArrayList<>();
      List<double[]> rows = new ArrayList<>();
      List<Boolean> labels = new ArrayList<>();
      for (Csv.Row r : Csv.rows(in, file, columns.size())) {
        List<String> fields = r.fields();
        int lineNo = r.lineNumber();
        stamps.add(fields.get(ts));
        double[] row = new double[valueIdx.size()];
        for (int f = 0; f < row.length; f++) {
          String v = fields.get(valueIdx.get(f)).strip();
          try {
            row[f] = v.isEmpty() ? Double.NaN : Double.parseDouble(v);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ":" + lineNo + ": column "
                + valueNames.get(f) + " is not a number: '" + v + "'");
          }
        }
        rows.add(row);
        String l = fields.get(label).strip();
        double lv;
        try {
          lv = Double.parseDouble(l);
        } catch (NumberFormatException e) {
          lv = Double.NaN;
        }
        if (lv != 0 && lv != 1) {
          throw new IllegalArgumentException(file + ":" + lineNo + ": label '" + l
              + "' is not 0 or 1");
        }
        labels.add(lv == 1);
      }
      boolean[] lab = new boolean[labels.size()];
      for (int i = 0; i < lab.length; i++) {
        lab[i] = labels.get(i);
      }
      return new LabelledCsv(relativePath, valueNames, stamps.toArray(new String[0]),
          rows.toArray(new double[0][]), lab);
    }
  }

  /** Every {@code .csv} under {@code dir}, as sorted relative paths with forward slashes. */
  public static List<String> list(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".csv"))
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
