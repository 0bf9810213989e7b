package dev.streamvae.dashboards;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** The Prometheus rule file {@code dashboards/prometheus/streamvae-rules.yml}. */
final class Rules {

  private Rules() {}

  static Path dir() {
    return ExternalTools.moduleDir().resolve("prometheus");
  }

  static Path file() {
    return dir().resolve("streamvae-rules.yml");
  }

  /** One rule: a recording rule has {@code record}, an alerting rule {@code alert}. */
  record Rule(String group, Map<String, Object> raw) {

    boolean isAlert() {
      return raw.containsKey("alert");
    }

    String name() {
      return (String) (isAlert() ? raw.get("alert") : raw.get("record"));
    }

    String expr() {
      return String.valueOf(raw.get("expr")).trim();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> labels() {
      Object l = raw.get("labels");
      return l == null ? Map.of() : (Map<String, Object>) l;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> annotations() {
      Object a = raw.get("annotations");
      return a == null ? Map.of() : (Map<String, Object>) a;
    }

    @Override
    public String toString() {
      return name();
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> load(Path file) {
    try (Reader r = Files.newBufferedReader(file)) {
      return (Map<String, Object>) new Yaml().load(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static List<Rule> all() {
    List<Rule> out = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) load(file()).get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        out.add(new Rule((String) group.get("name"), rule));
      }
    }
    return out;
  }

  static List<Rule> alerts() {
    return all().stream().filter(Rule::isAlert).toList();
  }

  static List<Rule> recordings() {
    return all().stream().filter(r -> !r.isAlert()).toList();
  }
}
