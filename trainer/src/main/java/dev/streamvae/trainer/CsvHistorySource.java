package dev.streamvae.trainer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads history from CSV files with a header row. Required column: {@code timestamp} (epoch
 * milliseconds, ISO-8601 instant, or {@code yyyy-MM-dd HH:mm:ss} in UTC as NAB writes it).
 * Optional: {@code series} (else the file name without extension is the series id) and
 * {@code label} (ignored for training). Every other column is a numeric metric; an empty cell is
 * a missing reading and that row is skipped.
 */
public final class CsvHistorySource implements HistorySource {

  private static final DateTimeFormatter NAB_TIME = DateTimeFormatter.ofPattern(
      "yyyy-MM-dd HH:mm:ss");

  private final List<Path> files;

  /** @param files CSV files to read, each one or more series */
  public CsvHistorySource(List<Path> files) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no CSV file given");
    }
    this.files = List.copyOf(files);
  }

  @Override
  public String describe() {
    return files.size() == 1 ? "CSV file " + files.get(0) : files.size() + " CSV files";
  }

  @Override
  public History read() throws IOException {
    History.Builder history = History.builder();
    for (Path file : files) {
      readFile(file, history);
    }
    return history.build();
  }

  private static void readFile(Path file, History.Builder history) throws IOException {
    String defaultSeries = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = reader.readLine();
      if (header == null) {
        throw new IOException(file + ": empty file");
      }
      String[] columns = header.trim().split(",");
      int timeColumn = -1;
      int seriesColumn = -1;
      List<Integer> valueColumns = new ArrayList<>();
      for (int i = 0; i < columns.length; i++) {
        String c = columns[i].trim();
        columns[i] = c;
        switch (c) {
          case "timestamp" -> timeColumn = i;
          case "series" -> seriesColumn = i;
          case "label" -> { }
          default -> valueColumns.add(i);
        }
      }
      if (timeColumn < 0) {
        throw new IOException(file + ": no 'timestamp' column in header '" + header + "'");
      }
      if (valueColumns.isEmpty()) {
        throw new IOException(file + ": no metric column in header '" + header + "'");
      }
      String line;
      int lineNumber = 1;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split(",", -1);
        if (cells.length != columns.length) {
          throw new IOException(file + ":" + lineNumber + ": expected " + columns.length
              + " cells, found " + cells.length);
        }
        Map<String, Double> values = new HashMap<>();
        boolean complete = true;
        for (int i : valueColumns) {
          String cell = cells[i].trim();
          if (cell.isEmpty()) {
            complete = false;
            break;
          }
          try {
            values.put(columns[i], Double.parseDouble(cell));
          } catch (NumberFormatException e) {
            throw new IOException(file + ":" + lineNumber + ": '" + cell + "' in column '"
                + columns[i] + "' is not a number");
          }
        }
        if (!complete) {
          history.skip();
          continue;
        }
        long timestamp = parseTime(cells[timeColumn].trim(), file, lineNumber);
        String series = seriesColumn < 0 ? defaultSeries : cells[seriesColumn].trim();
        history.add(series, new Observation(timestamp, values));
      }
    }
  }

  static long parseTime(String text, Path file, int lineNumber) throws IOException {
    try {
      if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
        return Long.parseLong(text);
      }
      if (text.endsWith("Z") || text.contains("+")) {
        return Instant.parse(text).toEpochMilli();
      }
      if (text.contains("T")) {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
      }
      return LocalDateTime.parse(text, NAB_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IOException(file + ":" + lineNumber + ": cannot read timestamp '" + text + "'");
    }
  }
}
