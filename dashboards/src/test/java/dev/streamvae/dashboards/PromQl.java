package dev.streamvae.dashboards;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough PromQL handling to check dashboard and rule expressions against Prometheus. */
final class PromQl {

  /** Grafana's built-in interval variables, as the tests substitute them. */
  static final Map<String, String> GRAFANA_BUILTINS = Map.of(
      "__rate_interval", "1m", "__interval", "15s", "__range", "5m");

  private static final Pattern SET_OPERATOR = Pattern.compile("(?i)^(and|or|unless)\\b");
  private static final Pattern VECTOR_MATCHING =
      Pattern.compile("(?i)^\\s*(on|ignoring)\\s*\\([^)]*\\)");
  private static final Pattern ABSENT = Pattern.compile("(?s)^\\s*absent\\s*\\((.*)\\)\\s*$");

  private PromQl() {}

  /**
   * Replaces Grafana variables ({@code $name}, {@code ${name}}, {@code ${name:format}},
   * {@code [[name]]}) by the given values, built-ins first. Longer names win.
   */
  static String substitute(String expr, Map<String, String> variables) {
    String out = expr;
    List<Map.Entry<String, String>> all = new ArrayList<>(GRAFANA_BUILTINS.entrySet());
    all.addAll(variables.entrySet());
    all.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length())
        .reversed());
    for (Map.Entry<String, String> v : all) {
      String name = Pattern.quote(v.getKey());
      String value = Matcher.quoteReplacement(v.getValue());
      out = out.replaceAll("\\$\\{" + name + "(:[^}]*)?}", value)
          .replaceAll("\\[\\[" + name + "]]", value)
          .replaceAll("\\$" + name + "(?![A-Za-z0-9_])", value);
    }
    return out;
  }

  /** Whether any Grafana variable reference is left. */
  static boolean hasVariables(String expr) {
    return expr.matches("(?s).*(\\$[A-Za-z_{]|\\[\\[).*");
  }

  /**
   * The parts of an alert condition that must return data whether or not the alert fires: the
   * expression is split at top-level {@code and}/{@code or}/{@code unless}, and from each operand
   * its last top-level comparison ({@code > 0.05}, {@code == 0}, ...) is removed; {@code
   * absent(x)} becomes {@code x}. {@code a / b > 0.05 and c > 0.1} gives {@code a / b} and
   * {@code c}.
   */
  static List<String> conditionOperands(String expr) {
    List<String> out = new ArrayList<>();
    for (String operand : splitTopLevelSetOperators(expr)) {
      String lhs = stripLastComparison(operand).trim();
      Matcher absent = ABSENT.matcher(lhs);
      out.add(absent.matches() ? absent.group(1).trim() : lhs);
    }
    return out;
  }

  static List<String> splitTopLevelSetOperators(String expr) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < expr.length(); i++) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
        continue;
      }
      if (c == '(' || c == '{' || c == '[') {
        depth++;
      } else if (c == ')' || c == '}' || c == ']') {
        depth--;
      } else if (depth == 0 && (i == 0 || !isWordChar(expr.charAt(i - 1)))) {
        Matcher m = SET_OPERATOR.matcher(expr.substring(i));
        if (m.find()) {
          parts.add(expr.substring(start, i));
          int next = i + m.end();
          Matcher matching = VECTOR_MATCHING.matcher(expr.substring(next));
          if (matching.find()) {
            next += matching.end();
          }
          start = next;
          i = next - 1;
        }
      }
    }
    parts.add(expr.substring(start));
    return parts;
  }

  static String stripLastComparison(String expr) {
    int depth = 0;
    int last = -1;
    for (int i = 0; i < expr.length(); i++) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(expr, i);
        continue;
      }
      if (c == '(' || c == '{' || c == '[') {
        depth++;
      } else if (c == ')' || c == '}' || c == ']') {
        depth--;
      } else if (depth == 0) {
        char n = i + 1 < expr.length() ? expr.charAt(i + 1) : ' ';
        if ((c == '=' || c == '!') && n == '=') {
          last = i;
          i++;
        } else if (c == '>' || c == '<') {
          last = i;
          if (n == '=') {
            i++;
          }
        }
      }
    }
    return last < 0 ? expr : expr.substring(0, last);
  }

  private static int skipString(String s, int open) {
    char quote = s.charAt(open);
    for (int i = open + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && quote != '`') {
        i++;
      } else if (c == quote) {
        return i;
      }
    }
    return s.length();
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }

  /**
   * A value escaped the way Grafana's Prometheus data source escapes the values of multi-value
   * and include-all variables ({@code prometheusSpecialRegexEscape}).
   */
  static String grafanaRegexEscape(String value) {
    return value.replaceAll("([\\\\^$*+?.()|{}'\\[\\]])", "\\\\\\\\$1");
  }
}
