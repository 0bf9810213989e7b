package dev.streamvae.scorer.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Routes each series to the model name that scores it, from configured rules {@code
 * MODEL:series:ID} (exact id), {@code MODEL:prefix:P} and {@code MODEL:regex:R} (whole-id match).
 * An exact id wins; then prefix and regex rules in the order given. Without rules every series
 * goes to the default model. Immutable rules; answers are cached per series (bounded).
 */
public final class SeriesRouter {

  private static final int CACHE_LIMIT = 100_000;

  private final Optional<String> defaultRoute;
  private final Map<String, String> exact = new HashMap<>();
  private final List<Rule> ordered = new ArrayList<>();
  private final Set<String> modelNames = new LinkedHashSet<>();
  private final Map<String, Optional<String>> cache = new ConcurrentHashMap<>();

  private record Rule(String model, String prefix, Pattern pattern) {
    boolean matches(String series) {
      return prefix != null ? series.startsWith(prefix) : pattern.matcher(series).matches();
    }
  }

  /**
   * @param defaultModel the model of every series when there are no rules
   * @param rules {@code MODEL:KIND:VALUE} with KIND {@code series}, {@code prefix} or {@code regex}
   * @throws IllegalArgumentException naming the rule that does not parse
   */
  public SeriesRouter(String defaultModel, List<String> rules) {
    this.defaultRoute = Optional.of(defaultModel);
    for (String rule : rules) {
      String[] parts = rule.split(":", 3);
      if (parts.length != 3 || parts[0].isBlank() || parts[2].isEmpty()) {
        throw new IllegalArgumentException("scorer.models.routes entry '" + rule
            + "' is not MODEL:series|prefix|regex:VALUE");
      }
      String model = parts[0].strip();
      switch (parts[1]) {
        case "series" -> {
          if (exact.putIfAbsent(parts[2], model) != null) {
            throw new IllegalArgumentException("series '" + parts[2] + "' is routed twice");
          }
        }
        case "prefix" -> ordered.add(new Rule(model, parts[2], null));
        case "regex" -> {
          try {
            ordered.add(new Rule(model, null, Pattern.compile(parts[2])));
          } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("scorer.models.routes entry '" + rule
                + "': bad regex: " + e.getDescription());
          }
        }
        default -> throw new IllegalArgumentException("scorer.models.routes entry '" + rule
            + "': kind must be series, prefix or regex, was '" + parts[1] + "'");
      }
      modelNames.add(model);
    }
    if (rules.isEmpty()) {
      modelNames.add(defaultModel);
    }
  }

  /** Every model name some series can be routed to. */
  public Set<String> modelNames() {
    return Set.copyOf(modelNames);
  }

  /** The model that scores {@code series}, or empty when no rule matches. */
  public Optional<String> route(String series) {
    if (exact.isEmpty() && ordered.isEmpty()) {
      // No rules (the usual single-model deployment): nothing to match, nothing worth caching.
      return defaultRoute;
    }
    Optional<String> cached = cache.get(series);
    if (cached != null) {
      return cached;
    }
    Optional<String> answer = compute(series);
    if (cache.size() < CACHE_LIMIT) {
      cache.put(series, answer);
    }
    return answer;
  }

  private Optional<String> compute(String series) {
    String model = exact.get(series);
    if (model != null) {
      return Optional.of(model);
    }
    for (Rule r : ordered) {
      if (r.matches(series)) {
        return Optional.of(r.model());
      }
    }
    return Optional.empty();
  }
}
