package dev.streamvae.dashboards;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus server, started as a child process with a generated configuration (1 s
 * scrape and rule-evaluation interval) and its own temporary storage, on a free local port.
 * Closing it kills the process and deletes the storage.
 */
final class PrometheusServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path home;
  private final URI base;
  private final Thread killer;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** A scrape job: its name, metrics path and host:port target. */
  record Job(String name, String metricsPath, String target) {}

  private PrometheusServer(Process process, Path home, URI base, Thread killer) {
    this.process = process;
    this.home = home;
    this.base = base;
    this.killer = killer;
  }

  static PrometheusServer start(Path binary, Path ruleFile, List<Job> jobs) throws IOException {
    Path home = Files.createTempDirectory("dashboards-prometheus-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    StringBuilder config = new StringBuilder()
        .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n")
        .append("  evaluation_interval: 1s\n")
        .append("rule_files:\n  - '").append(ruleFile.toAbsolutePath()).append("'\n")
        .append("scrape_configs:\n");
    for (Job job : jobs) {
      config.append("  - job_name: ").append(job.name()).append('\n')
          .append("    metrics_path: ").append(job.metricsPath()).append('\n')
          .append("    static_configs:\n      - targets: ['").append(job.target()).append("']\n");
    }
    Path configFile = home.resolve("prometheus.yml");
    Files.writeString(configFile, config);
    Process process = new ProcessBuilder(binary.toString(),
        "--config.file=" + configFile,
        "--storage.tsdb.path=" + home.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(home.resolve("prometheus.log").toFile())
        .start();
    Thread killer = new Thread(process::destroyForcibly, "kill-prometheus");
    Runtime.getRuntime().addShutdownHook(killer);
    PrometheusServer server = new PrometheusServer(process, home,
        URI.create("http://127.0.0.1:" + port), killer);
    try {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("prometheus exited with " + process.exitValue()
                  + ":\n" + server.log());
            }
            return server.ready();
          });
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private boolean ready() {
    try {
      return http.send(HttpRequest.newBuilder(base.resolve("/-/ready")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Prometheus's own log (warnings and errors). */
  String log() {
    try {
      return Files.readString(home.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** GET {@code path} under /api/v1, as JSON, whatever the HTTP status. */
  JsonNode api(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        base.resolve("/api/v1/" + path)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /** An instant query now; the whole response ({@code status}, {@code data}, {@code error}). */
  JsonNode query(String promql) throws IOException, InterruptedException {
    return api("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  /** An instant query at {@code epochSeconds}. */
  JsonNode queryAt(String promql, double epochSeconds) throws IOException, InterruptedException {
    return api("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
        + "&time=" + epochSeconds);
  }

  /** The result vector of a successful query (empty if it failed or returned nothing). */
  JsonNode result(String promql) throws IOException, InterruptedException {
    return query(promql).path("data").path("result");
  }

  /** The values of label {@code label} over the series {@code selector} selects. */
  List<String> labelValues(String selector, String label)
      throws IOException, InterruptedException {
    JsonNode series = api("series?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8)
        + "&start=" + (System.currentTimeMillis() / 1000.0 - 600)).path("data");
    return Stream.iterate(0, i -> i < series.size(), i -> i + 1)
        .map(i -> series.get(i).path(label).asText(null))
        .filter(v -> v != null).distinct().sorted().toList();
  }

  /** The state (inactive, pending, firing) of the alerting rule {@code name}, or null. */
  String alertState(String name) throws IOException, InterruptedException {
    for (JsonNode group : api("rules?type=alert").path("data").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (name.equals(rule.path("name").asText())) {
          return rule.path("state").asText();
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // already shutting down
    }
    try (Stream<Path> files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
