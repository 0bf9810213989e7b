package dev.streamvae.evaluation.data;

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
