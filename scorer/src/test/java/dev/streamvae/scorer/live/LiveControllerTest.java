package dev.streamvae.scorer.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamvae.scorer.model.ModelRegistry;
import io.micronaut.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LiveControllerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();

  private final LiveFeed feed = new LiveFeed(2000, 1000, Clock.systemUTC());
  private final LiveController controller = new LiveController(feed,
      ModelRegistry.single("m", 128, Clock.systemUTC(), attempt -> { }));

  @Test
  void dataHasThePointsAlertsTotalsAndModelOfEachSeries() throws Exception {
    for (int i = 0; i < 500; i++) {
      feed.onScoreRecord(i < 8 ? LiveFeedTest.warming("a", T0 + i * 1000L)
          : LiveFeedTest.scored("a", T0 + i * 1000L, i == 400 ? 99 : 1, 10),
          Map.of("value", i * 0.5));
    }
    JsonNode body = JSON.readTree(controller.json(List.of("a", "missing"), 300));

    assertThat(body.path("generatedAt").asLong()).isPositive();
    JsonNode model = body.path("model");
    assertThat(model.path("name").asText()).isEqualTo("m");
    assertThat(model.has("version")).isTrue();
    assertThat(model.path("version").isNull()).isTrue();
    assertThat(model.path("activatedAt").isNull()).isTrue();

    JsonNode totals = body.path("totals");
    assertThat(totals.path("records").asLong()).isEqualTo(500);
    assertThat(totals.path("anomalies").asLong()).isEqualTo(1);
    assertThat(totals.has("recordsPerSecond")).isTrue();
    assertThat(totals.path("series").asInt()).isEqualTo(1);
    assertThat(totals.path("pointsPerSeries").asInt()).isEqualTo(2000);
    assertThat(totals.path("maxSeries").asInt()).isEqualTo(1000);

    JsonNode a = body.path("series").get(0);
    assertThat(a.path("id").asText()).isEqualTo("a");
    assertThat(a.path("known").asBoolean()).isTrue();
    assertThat(a.path("features").get(0).asText()).isEqualTo("value");
    assertThat(a.path("pointsKept").asInt()).isEqualTo(500);
    assertThat(a.path("anomaliesKept").asInt()).isEqualTo(1);
    JsonNode points = a.path("points");
    assertThat(points.size()).isEqualTo(300);
    JsonNode first = points.get(0);
    assertThat(first.path("timestamp").asLong()).isEqualTo(T0 + 200_000);
    assertThat(first.path("values").path("value").asDouble()).isEqualTo(100.0);
    assertThat(first.path("status").asText()).isEqualTo("SCORED");
    assertThat(first.path("anomalyScore").asDouble()).isEqualTo(1.0);
    assertThat(first.path("threshold").asDouble()).isEqualTo(10.0);
    assertThat(first.path("anomaly").asBoolean()).isFalse();
    assertThat(first.path("modelVersion").asLong()).isEqualTo(3);
    JsonNode anomaly = points.get(200);
    assertThat(anomaly.path("timestamp").asLong()).isEqualTo(T0 + 400_000);
    assertThat(anomaly.path("anomaly").asBoolean()).isTrue();
    assertThat(anomaly.path("anomalyScore").asDouble()).isEqualTo(99.0);

    JsonNode missing = body.path("series").get(1);
    assertThat(missing.path("id").asText()).isEqualTo("missing");
    assertThat(missing.path("known").asBoolean()).isFalse();
    assertThat(missing.path("points").size()).isZero();

    JsonNode alert = body.path("alerts").get(0);
    assertThat(alert.path("series").asText()).isEqualTo("a");
    assertThat(alert.path("timestamp").asLong()).isEqualTo(T0 + 400_000);
    assertThat(alert.path("anomalyScore").asDouble()).isEqualTo(99.0);
    assertThat(alert.path("threshold").asDouble()).isEqualTo(10.0);
    assertThat(alert.path("modelName").asText()).isEqualTo("m");
    assertThat(alert.path("modelVersion").asLong()).isEqualTo(3);

    JsonNode early = JSON.readTree(controller.json(List.of("a"), 2000))
        .path("series").get(0).path("points").get(0);
    assertThat(early.path("status").asText()).isEqualTo("WARMING_UP");
    assertThat(early.path("anomalyScore").isNull()).isTrue();
    assertThat(early.path("threshold").isNull()).isTrue();
    assertThat(early.path("anomaly").asBoolean()).isFalse();
  }

  @Test
  void pointsAndSeriesParametersAreCheckedAndBounded() throws Exception {
    for (int i = 0; i < 2500; i++) {
      feed.onScoreRecord(LiveFeedTest.warming("a", T0 + i), Map.of("v", 1.0));
    }
    feed.onScoreRecord(LiveFeedTest.warming("b,c", T0), Map.of("v", 1.0));
    assertThat(controller.data("a", "abc").code()).isEqualTo(400);
    assertThat(controller.data("a", "0").code()).isEqualTo(400);
    HttpResponse<String> many = controller.data(java.util.stream.IntStream.range(0, 51)
        .mapToObj(i -> "x" + i).collect(java.util.stream.Collectors.joining(",")), null);
    assertThat(many.code()).isEqualTo(400);
    assertThat(many.body()).contains("at most 50 series");

    HttpResponse<String> all = controller.data(" a , ,a", "999999");
    assertThat(all.code()).isEqualTo(200);
    assertThat(all.getHeaders().get("Cache-Control")).isEqualTo("no-store");
    JsonNode body = JSON.readTree(all.body());
    assertThat(body.path("series").size()).isEqualTo(1);
    assertThat(body.path("series").get(0).path("points").size()).isEqualTo(2000);

    JsonNode defaults = JSON.readTree(controller.data(null, null).body());
    assertThat(defaults.path("series")).extracting(s -> s.path("id").asText())
        .containsExactly("a", "b,c");
    assertThat(defaults.path("series").get(0).path("points").size())
        .isEqualTo(LiveController.DEFAULT_POINTS);
  }

  @Test
  void thePageIsSelfContainedAndItsPolicyAllowsOnlyItsOwnScriptAndStyle() throws Exception {
    HttpResponse<String> response = controller.page();
    String html = response.body();
    assertThat(html).contains("<svg", "/data", "Latest alerts");
    // Nothing loads from elsewhere: the only URL is the SVG namespace name.
    assertThat(html.replace("http://www.w3.org/2000/svg", ""))
        .doesNotContain("http://", "https://", "src=", "@import", "url(", "<link");
    // Data from the server never becomes markup.
    assertThat(html).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML",
        "document.write", "eval(");
    String csp = response.getHeaders().get("Content-Security-Policy");
    assertThat(csp).startsWith("default-src 'none'").contains("connect-src 'self'");
    for (String tag : List.of("script", "style")) {
      Matcher m = Pattern.compile("<" + tag + ">(.*?)</" + tag + ">", Pattern.DOTALL)
          .matcher(html);
      assertThat(m.find()).as(tag).isTrue();
      String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(m.group(1).getBytes(StandardCharsets.UTF_8)));
      assertThat(csp).contains(tag + "-src 'sha256-" + hash + "'");
      assertThat(m.find()).as("one " + tag).isFalse();
      assertThat(html).as("no <" + tag + " with attributes").doesNotContain("<" + tag + " ");
    }
  }
}
