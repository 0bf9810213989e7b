package dev.streamvae.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The dashboard JSON files under {@code dashboards/grafana/}, read as Grafana reads them. */
final class Dashboards {

  static final List<String> FILES = List.of("streamvae-overview.json",
      "streamvae-streams-jvm.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Dashboards() {}

  static Path dir() {
    return ExternalTools.moduleDir().resolve("grafana");
  }

  /** One dashboard file, parsed. */
  record Dashboard(String file, JsonNode json) {

    String title() {
      return json.path("title").asText();
    }

    /** Every panel that shows data: rows are walked into (collapsed rows nest their panels). */
    List<JsonNode> panels() {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode p : json.path("panels")) {
        if ("row".equals(p.path("type").asText())) {
          p.path("panels").forEach(out::add);
        } else {
          out.add(p);
        }
      }
      return out;
    }

    /** The row panels. */
    List<JsonNode> rows() {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode p : json.path("panels")) {
        if ("row".equals(p.path("type").asText())) {
          out.add(p);
        }
      }
      return out;
    }

    /** Template variables in dashboard order (later ones may refer to earlier ones). */
    List<JsonNode> variables() {
      List<JsonNode> out = new ArrayList<>();
      json.path("templating").path("list").forEach(out::add);
      return out;
    }

    /** Annotation queries that run against Prometheus (those with a target expr). */
    List<JsonNode> prometheusAnnotations() {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode a : json.path("annotations").path("list")) {
        if (a.path("target").hasNonNull("expr")) {
          out.add(a);
        }
      }
      return out;
    }
  }

  /** A panel's query, with where it comes from for messages. */
  record Query(String dashboard, String panel, String refId, String expr) {
    @Override
    public String toString() {
      return dashboard + " / " + panel + " / " + refId;
    }
  }

  static List<Dashboard> all() {
    List<Dashboard> out = new ArrayList<>();
    for (String f : FILES) {
      try {
        out.add(new Dashboard(f, JSON.readTree(dir().resolve(f).toFile())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Every panel target's PromQL, unsubstituted. */
  static List<Query> queries(Dashboard d) {
    List<Query> out = new ArrayList<>();
    for (JsonNode p : d.panels()) {
      for (JsonNode t : p.path("targets")) {
        out.add(new Query(d.file(), p.path("title").asText(), t.path("refId").asText(),
            t.path("expr").asText()));
      }
    }
    return out;
  }
}
