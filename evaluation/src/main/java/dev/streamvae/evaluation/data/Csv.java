package dev.streamvae.evaluation.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** The little CSV this module needs: comma-separated, optional double quotes, no multi-line. */
public final class Csv {

  private Csv() {}

  /** Splits one line into fields; {@code "a ""b"""} reads as {@code a "b"}. */
  public static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }

  /**
   * One data line of a file.
   *
   * @param lineNumber the line's number in the file (the header is line 1), for messages
   * @param fields the line's fields
   */
  public record Row(int lineNumber, List<String> fields) {}

  /**
   * Reads the lines after the header: blank lines are skipped and every other line must have
   * {@code width} fields.
   *
   * @param in positioned after the header line
   * @param source what to name in messages, e.g. the file
   * @throws IllegalArgumentException naming {@code source:line} for a line of another width
   */
  public static List<Row> rows(BufferedReader in, Object source, int width) throws IOException {
    List<Row> rows = new ArrayList<>();
    String line;
    int lineNumber = 1;
    while ((line = in.readLine()) != null) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      List<String> fields = split(line.strip());
      if (fields.size() != width) {
        throw new IllegalArgumentException(source + ":" + lineNumber + ": " + fields.size()
            + " fields, expected " + width);
      }
      rows.add(new Row(lineNumber, fields));
    }
    return rows;
  }

  /** A field for writing: quoted only when it must be. */
  public static String quote(String field) {
    if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }

  /**
   * A number as plain decimal text that parses back to the same double ({@code 10844.0},
   * {@code 0.000123}, never exponent notation, which some CSV readers mistake for text).
   */
  public static String number(double v) {
    if (!Double.isFinite(v)) {
      return "";
    }
    if (v == 0) {
      return "0.0";
    }
    String s = BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    return s.indexOf('.') < 0 ? s + ".0" : s;
  }
}
