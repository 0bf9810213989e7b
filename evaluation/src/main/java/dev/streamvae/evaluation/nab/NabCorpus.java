package dev.streamvae.evaluation.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamvae.evaluation.data.Csv;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the NAB corpus as NAB lays it out: {@code data/<category>/<file>.csv} with the columns
 * {@code timestamp,value}, and {@code labels/combined_windows.json}, which maps each file's path
 * under {@code data/} to its list of {@code [start, end]} windows. Only files named in the label
 * file are read, as NAB's runner does.
 */
public final class NabCorpus {

  /** The label file NAB scores with. */
  public static final String WINDOWS_FILE = "labels/combined_windows.json";
  /** Environment variable naming the corpus root when {@code --data} is not given. */
  public static final String ENV = "STREAMVAE_NAB_DATA";
  /** System property naming the corpus root (tests). */
  public static final String PROPERTY = "streamvae.nab.data";

  private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd HH:mm:ss")
      .optionalStart()
      .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
      .optionalEnd()
      .toFormatter();

  private final Path root;
  private final List<NabFile> files;

  private NabCorpus(Path root, List<NabFile> files) {
    this.root = root;
    this.files = List.copyOf(files);
  }

  /** The corpus root (holding {@code data/} and {@code labels/}). */
  public Path root() {
    return root;
  }

  /** The files read, sorted by relative path. */
  public List<NabFile> files() {
    return files;
  }

  /** All windows of the files read. */
  public int windowCount() {
    return files.stream().mapToInt(f -> f.windows().size()).sum();
  }

  /** Reads every labelled file. */
  public static NabCorpus load(Path root) throws IOException {
    return load(root, List.of());
  }

  /**
   * Reads the labelled files whose path under {@code data/} matches one of {@code globs} (all
   * when empty). A glob without a slash is matched against the file name alone, so
   * {@code nyc_*} and {@code realKnownCause/*} both work.
   *
   * @throws IllegalArgumentException when the root is not a NAB corpus or nothing matches
   */
  public static NabCorpus load(Path root, List<String> globs) throws IOException {
    Path windowsFile = root.resolve(WINDOWS_FILE);
    Path dataDir = root.resolve("data");
    if (!Files.isRegularFile(windowsFile) || !Files.isDirectory(dataDir)) {
      throw new IllegalArgumentException(root + " is not a NAB corpus (expected data/ and "
          + WINDOWS_FILE + ")");
    }
    JsonNode labels = new ObjectMapper().readTree(windowsFile.toFile());
    List<PathMatcher> matchers = new ArrayList<>();
    for (String g : globs) {
      matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + g));
    }
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : labels.properties()) {
      if (matches(entry.getKey(), globs, matchers)) {
        keys.add(entry.getKey());
      }
    }
    keys.sort(null);
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no labelled NAB file matches " + globs);
    }
    List<NabFile> files = new ArrayList<>();
    for (String key : keys) {
      List<AnomalyWindow> windows = new ArrayList<>();
      for (JsonNode w : labels.get(key)) {
        if (!w.isArray() || w.size() != 2) {
          throw new IllegalArgumentException(WINDOWS_FILE + ": " + key
              + ": a window is not [start, end]");
        }
        windows.add(new AnomalyWindow(parseTimestamp(w.get(0).asText()),
            parseTimestamp(w.get(1).asText())));
      }
      files.add(readFile(dataDir, key, windows));
    }
    return new NabCorpus(root, files);
  }

  private static boolean matches(String key, List<String> globs, List<PathMatcher> matchers) {
    if (globs.isEmpty()) {
      return true;
    }
    Path path = Paths.get(key);
    for (int i = 0; i < globs.size(); i++) {
      Path target = globs.get(i).contains("/") ? path : path.getFileName();
      if (matchers.get(i).matches(target)) {
        return true;
      }
    }
    return false;
  }

  private static NabFile readFile(Path dataDir, String key, List<AnomalyWindow> windows)
      throws IOException {
    Path file = dataDir.resolve(key);
    List<String> tsText = new ArrayList<>();
    List<String> valueText = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = in.readLine();
      if (header == null) {
        throw new IllegalArgumentException(file + " is empty");
      }
      List<String> columns = Csv.split(header.strip());
      int ts = columns.indexOf("timestamp");
      int value = columns.indexOf("value");
      if (ts < 0 || value < 0) {
        throw new IllegalArgumentException(file + ": expected columns timestamp,value, found "
            + columns);
      }
      for (Csv.Row row : Csv.rows(in, file, columns.size())) {
        tsText.add(row.fields().get(ts));
        valueText.add(row.fields().get(value));
      }
    }
    int n = tsText.size();
    LocalDateTime[] timestamps = new LocalDateTime[n];
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      try {
        timestamps[i] = parseTimestamp(tsText.get(i));
        values[i] = Double.parseDouble(valueText.get(i));
      } catch (DateTimeParseException | NumberFormatException e) {
        throw new IllegalArgumentException(file + ": record " + (i + 1) + ": " + e.getMessage(),
            e);
      }
    }
    return new NabFile(key, tsText.toArray(new String[0]), timestamps,
        valueText.toArray(new String[0]), values, windows);
  }

  /** Parses NAB's timestamps: {@code 2014-04-01 00:00:00}, optionally with a fraction. */
  public static LocalDateTime parseTimestamp(String text) {
    String t = text.strip();
    try {
      return LocalDateTime.parse(t, TIMESTAMP);
    } catch (DateTimeParseException e) {
      return LocalDateTime.parse(t);
    }
  }

  /**
   * Finds the NAB corpus without being told: the system property {@value #PROPERTY}, else the
   * environment variable {@value #ENV}, else the first {@code shared/datasets/nab} found walking
   * up from the working directory. Empty when none holds {@value #WINDOWS_FILE}.
   */
  public static Optional<Path> locate() {
    String explicit = System.getProperty(PROPERTY);
    if (explicit == null || explicit.isBlank()) {
      explicit = System.getenv(ENV);
    }
    if (explicit != null && !explicit.isBlank()) {
      Path p = Paths.get(explicit).toAbsolutePath().normalize();
      return Files.isRegularFile(p.resolve(WINDOWS_FILE)) ? Optional.of(p) : Optional.empty();
    }
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("datasets").resolve("nab");
      if (Files.isRegularFile(candidate.resolve(WINDOWS_FILE))) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
