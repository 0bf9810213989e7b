package dev.streamvae.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.testkit.KafkaCluster;
import dev.streamvae.testkit.Topics;
import dev.streamvae.trainer.ModelPublisher;
import dev.streamvae.vae.ModelBundle;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import io.micronaut.context.ApplicationContext;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The live page against a real broker and a real model: its JSON feed over real HTTP, then the
 * page itself rendered by headless Chromium (the DOM after its script ran, and a screenshot,
 * left at {@code scorer/target/live-page.png}).
 *
 * <p>Needs Chromium ({@code apt-get install -y chromium}, or {@code CHROMIUM=/path/to/chrome}):
 * without it the page test is skipped, or fails when the environment variable {@code CI} is set.
 */
class LivePageIT {

  private static final int WINDOW = 8;
  private static final int BEFORE_MODEL = 5;
  private static final int POINTS = 125;
  private static final int SPIKE = 100;
  private static final String XSS = "<img src=x onerror=alert(1)>";
  private static final List<String> SERIES = List.of("cpu-a", "cpu-b", "multi", XSS);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CHROMIUM_TIMEOUT = Duration.ofSeconds(90);

  private static KafkaCluster cluster;
  private static ApplicationContext scorer;
  private static URI url;
  private static Path stateDir;
  private static KafkaProducer<String, byte[]> producer;
  private static final HttpClient http = HttpClient.newHttpClient();
  private static long t0;

  @BeforeAll
  static void start() throws Exception {
    cluster = KafkaCluster.start();
    Topics.createAndAwait(cluster.bootstrapServers(), List.of(
        new NewTopic("metrics", 2, (short) 1), new NewTopic("anomaly-scores", 2, (short) 1),
        new NewTopic("anomaly-alerts", 2, (short) 1),
        new NewTopic("anomaly-dead-letters", 1, (short) 1),
        new NewTopic("metrics-unused", 1, (short) 1)), Duration.ofSeconds(30));
    stateDir = Files.createTempDirectory("live-it-");
    Map<String, Object> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", cluster.bootstrapServers());
    props.put("scorer.application-id", "live-it-" + System.nanoTime());
    props.put("scorer.model-name", "live");
    props.put("scorer.models.trusted-keys",
        List.of(dev.streamvae.scorer.model.TestEnvelopes.trustedPem()));
    props.put("scorer.state-dir", stateDir.toString());
    props.put("scorer.model-startup-wait", "1s");
    props.put("scorer.live.points-per-series", 500);
    props.put("scorer.live.max-series", 50);
    props.put("micronaut.server.port", -1);
    props.put("micronaut.server.host", "127.0.0.1");
    scorer = ScorerApplication.start(props);
    url = ScorerApplication.baseUrl(scorer);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new ByteArraySerializer());
    // Recent timestamps, one second apart, so the page's time axis shows today's clock.
    t0 = (System.currentTimeMillis() / 1000 - 2 * POINTS) * 1000;

    // A few records before any model (NO_MODEL), then a model, then the rest (the first ones
    // WARMING_UP); cpu-b has a big spike.
    send(0, BEFORE_MODEL);
    await().atMost(Duration.ofSeconds(60)).until(
        () -> get("/live/data").path("totals").path("records").asLong()
            >= (long) BEFORE_MODEL * SERIES.size());
    ModelPublisher publisher = new ModelPublisher(
        Map.of("bootstrap.servers", cluster.bootstrapServers()), "anomaly-models");
    publisher.ensureTopic();
    publisher.publish(trainModel().withVersion(publisher.latestVersion("live") + 1)
        .signed(dev.streamvae.scorer.model.TestEnvelopes.KEYS));
    await().atMost(Duration.ofSeconds(30)).until(
        () -> get("/model").path("active").path("version").asLong() == 1);
    send(BEFORE_MODEL, POINTS);
    await().atMost(Duration.ofSeconds(60)).until(
        () -> get("/live/data").path("totals").path("records").asLong()
            >= (long) POINTS * SERIES.size());
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (scorer != null) {
      scorer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ModelBundle trainModel() {
    TrainingSet.Builder data = TrainingSet.builder(List.of("value"), WINDOW, 1);
    long[] ts = new long[400];
    double[][] values = new double[400][1];
    for (int i = 0; i < 400; i++) {
      ts[i] = i * 1000L;
      values[i][0] = Math.sin(i / 4.0);
    }
    data.addSeries("s", ts, values);
    return VaeTrainer.train(data.build(), VaeConfig.builder().windowLength(WINDOW)
        .featureCount(1).hiddenSizes(16).latentDim(2).epochs(5).mcSamples(2).build(), s -> { })
        .toBundle("live", 0, Instant.now());
  }

  private static double value(String series, int i) {
    return series.equals("cpu-b") && i == SPIKE ? 8.0 : Math.sin(i / 4.0);
  }

  private static void send(int from, int to) {
    for (int i = from; i < to; i++) {
      for (String series : SERIES) {
        Map<String, Double> values = new HashMap<>();
        values.put("value", value(series, i));
        if (series.equals("multi")) {
          values.put("mem", 0.5 + 0.3 * Math.cos(i / 7.0));
        }
        producer.send(new ProducerRecord<>("metrics", series, JsonCodec.metricRecord()
            .encode(new MetricRecord(series, t0 + i * 1000L, values))));
      }
    }
    producer.flush();
  }

  private static HttpResponse<String> request(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(url.resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(String path) throws Exception {
    HttpResponse<String> response = request(path);
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  @Test
  void theFeedHasEachSeriesPointsAndTheAnomaly() throws Exception {
    String ids = URLEncoder.encode("cpu-b,multi," + XSS, StandardCharsets.UTF_8);
    JsonNode body = get("/live/data?series=" + ids + "&points=2000");

    assertThat(body.path("model").path("name").asText()).isEqualTo("live");
    assertThat(body.path("model").path("version").asLong()).isEqualTo(1);
    assertThat(body.path("model").path("activatedAt").asText()).isNotBlank();
    assertThat(body.path("totals").path("records").asLong()).isEqualTo(POINTS * 4L);
    assertThat(body.path("totals").path("anomalies").asLong()).isPositive();
    assertThat(body.path("totals").path("pointsPerSeries").asInt()).isEqualTo(500);
    assertThat(body.path("totals").path("maxSeries").asInt()).isEqualTo(50);

    JsonNode cpuB = body.path("series").get(0);
    assertThat(cpuB.path("id").asText()).isEqualTo("cpu-b");
    JsonNode points = cpuB.path("points");
    assertThat(points.size()).isEqualTo(POINTS);
    List<String> statuses = new ArrayList<>();
    for (int i = 0; i < POINTS; i++) {
      JsonNode p = points.get(i);
      assertThat(p.path("timestamp").asLong()).isEqualTo(t0 + i * 1000L);
      assertThat(p.path("values").path("value").asDouble())
          .isCloseTo(value("cpu-b", i), org.assertj.core.data.Offset.offset(1e-6));
      statuses.add(p.path("status").asText());
    }
    assertThat(statuses.subList(0, BEFORE_MODEL)).containsOnly("NO_MODEL");
    assertThat(statuses.subList(BEFORE_MODEL, WINDOW - 1)).containsOnly("WARMING_UP");
    assertThat(statuses.subList(WINDOW - 1, POINTS)).containsOnly("SCORED");
    JsonNode spike = points.get(SPIKE);
    assertThat(spike.path("anomaly").asBoolean()).isTrue();
    assertThat(spike.path("anomalyScore").asDouble())
        .isGreaterThan(spike.path("threshold").asDouble());
    assertThat(spike.path("modelVersion").asLong()).isEqualTo(1);
    assertThat(points.get(0).path("anomalyScore").isNull()).isTrue();
    assertThat(points.get(0).path("modelVersion").isNull()).isTrue();

    JsonNode multi = body.path("series").get(1);
    assertThat(multi.path("features")).extracting(JsonNode::asText)
        .containsExactly("mem", "value");
    assertThat(multi.path("points").get(POINTS - 1).path("values").size()).isEqualTo(2);
    assertThat(body.path("series").get(2).path("id").asText()).isEqualTo(XSS);
    assertThat(body.path("series").get(2).path("points").size()).isEqualTo(POINTS);

    // The spike's alert (other series may have one too: the threshold is a quantile of the
    // training windows' scores, and these series are the training data).
    assertThat(body.path("alerts")).anySatisfy(alert -> {
      assertThat(alert.path("series").asText()).isEqualTo("cpu-b");
      assertThat(alert.path("timestamp").asLong()).isEqualTo(t0 + SPIKE * 1000L);
      assertThat(alert.path("modelVersion").asLong()).isEqualTo(1);
      assertThat(alert.path("anomalyScore").asDouble())
          .isGreaterThan(alert.path("threshold").asDouble());
    });

    // Default choice: all four series (fewer than six), those with an anomaly first.
    JsonNode defaults = get("/live/data");
    assertThat(defaults.path("series")).extracting(s -> s.path("id").asText())
        .containsExactlyInAnyOrderElementsOf(SERIES);
    assertThat(defaults.path("series").get(0).path("anomaliesKept").asInt()).isPositive();
    assertThat(defaults.path("series").get(0).path("points").size()).isEqualTo(POINTS);
    assertThat(get("/live/data?series=cpu-a&points=10").path("series").get(0).path("points")
        .size()).isEqualTo(10);
    assertThat(request("/live/data?points=-1").statusCode()).isEqualTo(400);

    HttpResponse<String> page = request("/live");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
        v -> assertThat(v).startsWith("text/html"));
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
        v -> assertThat(v).contains("default-src 'none'", "script-src 'sha256-"));
  }

  @Test
  void thePageRendersChartsAnomaliesAndTheModelInHeadlessChromium() throws Exception {
    Path chromium = chromium();
    String page = url.resolve("/live").toString();

    Path screenshot = Path.of("target", "live-page.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);
    runChromium(chromium, List.of("--screenshot=" + screenshot, page));
    String dom = runChromium(chromium, List.of("--dump-dom", page));

    // One chart per series, each with its points plotted (the script ran, under the page's CSP).
    Map<String, Map<String, String>> charts = new LinkedHashMap<>();
    for (Map<String, String> svg : openingTags(dom, "svg")) {
      if ("chart".equals(svg.get("class"))) {
        charts.put(svg.get("data-series"), svg);
      }
    }
    assertThat(charts.keySet()).as(dom).containsExactlyInAnyOrderElementsOf(SERIES);
    charts.forEach((series, svg) -> assertThat(Integer.parseInt(svg.get("data-plotted")))
        .as(series).isEqualTo(POINTS));
    assertThat(Integer.parseInt(charts.get("cpu-b").get("data-anomalies"))).isPositive();
    List<Map<String, String>> paths = openingTags(dom, "path");
    assertThat(paths.stream().filter(p -> "value-line".equals(p.get("class"))))
        .hasSize(SERIES.size() + 1)  // multi draws two lines
        .allSatisfy(p -> assertThat(p.get("d").chars().filter(c -> c == 'L').count())
            .isGreaterThan(10));
    assertThat(paths.stream().filter(p -> "threshold".equals(p.get("class")))).hasSize(4);
    assertThat(openingTags(dom, "circle").stream()
        .filter(c -> "anomaly".equals(c.get("class")))).isNotEmpty();
    assertThat(openingTags(dom, "circle").stream()
        .filter(c -> "unscored".equals(c.get("class")))).hasSize((WINDOW - 1) * SERIES.size());

    // The header names the model and its version; the alerts list has cpu-b.
    assertThat(dom).contains("id=\"model-name\">live<")
        .contains("data-version=\"1\">v1<");
    assertThat(openingTags(dom, "tr").stream().filter(t -> "alert".equals(t.get("class"))))
        .isNotEmpty();
    assertThat(dom).contains("?series=cpu-b\">cpu-b</a>");

    // The series named like markup is shown as text, never parsed as markup.
    assertThat(dom).contains("&lt;img src=x onerror=alert(1)&gt;");
    assertThat(dom.replaceAll("\"[^\"]*\"", "\"\"")).doesNotContainPattern("(?i)<img[\\s>/]");

    assertThat(screenshot).exists();
    assertThat(Files.size(screenshot)).as("screenshot bytes").isGreaterThan(20_000);
    BufferedImage image = ImageIO.read(screenshot.toFile());
    assertThat(image.getWidth()).isEqualTo(1400);
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertThat(colours.size()).as("distinct colours in the screenshot").isGreaterThan(50);
  }

  @Test
  void thePageCanBeTurnedOff() throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put("kafka.bootstrap.servers", cluster.bootstrapServers());
    props.put("scorer.application-id", "live-it-off-" + System.nanoTime());
    props.put("scorer.model-name", "live");
    props.put("scorer.state-dir", Files.createTempDirectory("live-it-off-").toString());
    props.put("scorer.model-startup-wait", "1s");
    props.put("scorer.input-topic", "metrics-unused");
    props.put("scorer.live.enabled", false);
    props.put("micronaut.server.port", -1);
    props.put("micronaut.server.host", "127.0.0.1");
    try (ApplicationContext off = ScorerApplication.start(props)) {
      assertThat(off.findBean(dev.streamvae.scorer.live.LiveFeed.class)).isEmpty();
      URI base = ScorerApplication.baseUrl(off);
      for (String path : List.of("/live", "/live/data")) {
        assertThat(http.send(HttpRequest.newBuilder(base.resolve(path)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode()).as(path).isEqualTo(404);
      }
      assertThat(http.send(HttpRequest.newBuilder(base.resolve("/model")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
  }

  /** Attributes of every opening tag {@code <name ...>}, entities decoded. */
  private static List<Map<String, String>> openingTags(String html, String name) {
    List<Map<String, String>> tags = new ArrayList<>();
    Matcher tag = Pattern.compile("<" + name + "(\\s[^>]*)?>").matcher(html);
    Pattern attribute = Pattern.compile("([\\w:-]+)=\"([^\"]*)\"");
    while (tag.find()) {
      Map<String, String> attrs = new HashMap<>();
      Matcher a = attribute.matcher(tag.group(1) == null ? "" : tag.group(1));
      while (a.find()) {
        attrs.put(a.group(1), a.group(2).replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", "\"").replace("&amp;", "&"));
      }
      tags.add(attrs);
    }
    return tags;
  }

  /**
   * The Chromium binary: {@code CHROMIUM} (environment or system property), else the first of
   * the usual names on the PATH. Absent: the test is skipped, or fails where {@code CI} is set.
   */
  private static Path chromium() {
    String configured = System.getProperty("CHROMIUM", System.getenv("CHROMIUM"));
    Optional<Path> found;
    if (configured != null && !configured.isBlank()) {
      found = Optional.of(Path.of(configured)).filter(Files::isExecutable);
    } else {
      String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
      found = Stream.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
          .flatMap(n -> Stream.of(path.split(File.pathSeparator)).map(d -> Path.of(d, n)))
          .filter(Files::isExecutable).findFirst();
    }
    if (found.isEmpty()) {
      String message = "headless Chromium is needed to test the live page and was not found"
          + (configured != null ? " at CHROMIUM=" + configured : " on the PATH")
          + ": install it with 'apt-get install -y chromium' (Debian/Ubuntu) or set CHROMIUM";
      if (System.getenv("CI") != null) {
        fail(message);
      }
      Assumptions.abort(message);
    }
    return found.get();
  }

  /** Runs headless Chromium on the page, killing it (and its children) after a timeout. */
  private static String runChromium(Path chromium, List<String> args) throws Exception {
    Path work = Files.createTempDirectory("live-it-chromium-");
    try {
      List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless",
          "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
          "--disable-extensions", "--hide-scrollbars", "--mute-audio",
          "--window-size=1400,1000", "--virtual-time-budget=5000",
          "--user-data-dir=" + work.resolve("profile")));
      command.addAll(args);
      Path out = work.resolve("stdout");
      Path err = work.resolve("stderr");
      Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
          .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
              new File("/dev/null"))).start();
      boolean finished;
      try {
        finished = process.waitFor(CHROMIUM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } finally {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      String stderr = tail(err);
      if (!finished) {
        fail("chromium did not finish within " + CHROMIUM_TIMEOUT + " and was killed: "
            + command + "\n" + stderr);
      }
      assertThat(process.exitValue()).as("chromium exit status; stderr:\n" + stderr)
          .isZero();
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String tail(Path file) throws IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
  }
}
