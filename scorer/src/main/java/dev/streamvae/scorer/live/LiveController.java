package dev.streamvae.scorer.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamvae.scorer.model.ModelRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /live}: a self-contained page (no external resources) charting the latest points of
 * a few series, their anomaly scores against the threshold, and the latest alerts, refreshed
 * every second from {@code GET /live/data}. Read-only.
 *
 * <p>{@code GET /live/data?series=a,b&points=N}: per series the last {@code N} points (default
 * {@value #DEFAULT_POINTS}, at most {@code scorer.live.points-per-series}), the latest alerts and
 * the active model. Without {@code series}, the {@value #DEFAULT_SERIES} most recently updated
 * series, those with an anomaly among their kept points first. A series id containing a comma
 * cannot be chosen with {@code series}.
 */
@Controller("/live")
@Requires(beans = LiveFeed.class)
public class LiveController {

  /** Points per series when {@code points} is not given. */
  public static final int DEFAULT_POINTS = 300;
  /** Series shown when {@code series} is not given. */
  public static final int DEFAULT_SERIES = 6;
  /** The most series one request may name. */
  public static final int MAX_SELECTED = 50;
  /** Alerts returned, newest first. */
  public static final int ALERTS = 50;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final LiveFeed feed;
  private final ModelRegistry registry;
  private final String page;
  private final String contentSecurityPolicy;

  /** Serves the feed, with the model from the registry. */
  public LiveController(LiveFeed feed, ModelRegistry registry) {
    this.feed = feed;
    this.registry = registry;
    this.page = loadPage();
    this.contentSecurityPolicy = contentSecurityPolicy(page);
  }

  /** The page. */
  @Get(produces = MediaType.TEXT_HTML + ";charset=utf-8")
  public HttpResponse<String> page() {
    return noStore(HttpResponse.ok(page))
        .header("Content-Security-Policy", contentSecurityPolicy);
  }

  /** The page's data, as JSON. */
  @Get(uri = "/data", produces = MediaType.APPLICATION_JSON)
  public HttpResponse<String> data(@Nullable @QueryValue String series,
      @Nullable @QueryValue String points) {
    int n = DEFAULT_POINTS;
    if (points != null && !points.isBlank()) {
      try {
        n = Integer.parseInt(points.trim());
      } catch (NumberFormatException e) {
        return badRequest("points must be a whole number, was '" + points + "'");
      }
      if (n < 1) {
        return badRequest("points must be at least 1, was " + n);
      }
    }
    n = Math.min(n, feed.pointsPerSeries());
    List<String> ids = new ArrayList<>();
    if (series != null) {
      for (String id : series.split(",")) {
        String trimmed = id.trim();
        if (!trimmed.isEmpty() && !ids.contains(trimmed)) {
          ids.add(trimmed);
        }
      }
    }
    if (ids.size() > MAX_SELECTED) {
      return badRequest("at most " + MAX_SELECTED + " series per request, got " + ids.size());
    }
    return noStore(HttpResponse.ok(json(ids, n)));
  }

  /** The JSON body of {@code /live/data} for the given series (empty: the default choice). */
  String json(List<String> series, int points) {
    LiveFeed.Snapshot snapshot = feed.snapshot(series, DEFAULT_SERIES, points, ALERTS);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("generatedAt", snapshot.generatedAt());
    body.put("model", model());
    body.put("totals", snapshot.totals());
    body.put("series", snapshot.series());
    body.put("alerts", snapshot.alerts());
    return write(body);
  }

  private Map<String, Object> model() {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("name", registry.modelName());
    registry.current().ifPresentOrElse(m -> {
      model.put("version", m.version());
      model.put("activatedAt", m.activatedAt().toString());
      model.put("threshold", m.manifest().threshold());
      model.put("thresholdMethod", m.manifest().thresholdMethod());
      model.put("windowLength", m.manifest().windowLength());
      model.put("features", m.manifest().features());
    }, () -> {
      model.put("version", null);
      model.put("activatedAt", null);
    });
    return model;
  }

  private static MutableHttpResponse<String> badRequest(String message) {
    return noStore(HttpResponse.<String>badRequest(write(Map.of("error", message)))
        .contentType(MediaType.APPLICATION_JSON_TYPE));
  }

  private static MutableHttpResponse<String> noStore(MutableHttpResponse<String> response) {
    return response.header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff");
  }

  private static String write(Object body) {
    try {
      return MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String loadPage() {
    try (InputStream in = LiveController.class.getResourceAsStream("/live/index.html")) {
      if (in == null) {
        throw new IllegalStateException("live/index.html is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Allows only the page's own inline script and style (by hash) and requests to this server:
   * nothing external loads, and markup injected into the page could not run script.
   */
  static String contentSecurityPolicy(String html) {
    return "default-src 'none'; script-src " + hashes(html, "script") + "; style-src "
        + hashes(html, "style") + "; connect-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  }

  private static String hashes(String html, String tag) {
    Matcher m = Pattern.compile("<" + tag + ">(.*?)</" + tag + ">", Pattern.DOTALL)
        .matcher(html);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add("'sha256-" + sha256(m.group(1)) + "'");
    }
    return out.isEmpty() ? "'none'" : String.join(" ", out);
  }

  private static String sha256(String text) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
