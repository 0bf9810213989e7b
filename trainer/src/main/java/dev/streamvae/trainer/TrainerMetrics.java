package dev.streamvae.trainer;

import com.sun.net.httpserver.HttpServer;
import dev.streamvae.vae.EpochListener;
import dev.streamvae.vae.EpochStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trainer's progress and results as Prometheus metrics, served at {@code /metrics} while the
 * trainer runs (useful for the scheduled mode, which keeps running between fits):
 *
 * <ul>
 *   <li>{@code streamvae_trainer_epoch{model}} and {@code streamvae_trainer_epochs{model}}:
 *       the epoch reached and the epochs planned in the current or last fit
 *   <li>{@code streamvae_trainer_loss{model, term=total|reconstruction|kl}}: the last epoch's
 *   <li>{@code streamvae_trainer_windows_per_second{model}}
 *   <li>{@code streamvae_trainer_runs_total{model, outcome=success|failure}}
 *   <li>{@code streamvae_trainer_run_duration_seconds{model}}
 *   <li>{@code streamvae_trainer_published_version{model}} and {@code
 *       streamvae_trainer_last_success_timestamp_seconds{model}}
 * </ul>
 */
public final class TrainerMetrics implements EpochListener, AutoCloseable {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final String model;
  private final Clock clock;
  private final AtomicLong epoch = new AtomicLong();
  private final AtomicLong epochs = new AtomicLong();
  private final AtomicLong windowsPerSecond = new AtomicLong();
  private final AtomicLong publishedVersion = new AtomicLong(-1);
  private final AtomicLong lastSuccess = new AtomicLong();
  private final Map<String, AtomicReference<Double>> losses = new ConcurrentHashMap<>();
  private final Counter successes;
  private final Counter failures;
  private final Timer runDuration;
  private HttpServer server;

  /**
   * @param model the model name, the tag of every meter
   * @param clock the time of the last success
   */
  public TrainerMetrics(String model, Clock clock) {
    this.model = model;
    this.clock = clock;
    gauge("streamvae.trainer.epoch", "Epoch reached in the current or last fit", epoch);
    gauge("streamvae.trainer.epochs", "Epochs planned for the current or last fit", epochs);
    gauge("streamvae.trainer.windows.per.second", "Training speed in the last epoch",
        windowsPerSecond);
    gauge("streamvae.trainer.published.version", "Last version published; -1 before one",
        publishedVersion);
    gauge("streamvae.trainer.last.success.timestamp.seconds",
        "When a fit last succeeded, epoch seconds; 0 before one", lastSuccess);
    for (String term : new String[] {"total", "reconstruction", "kl"}) {
      AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
      losses.put(term, value);
      Gauge.builder("streamvae.trainer.loss", value, AtomicReference::get)
          .description("Loss per window in the last epoch, by term")
          .tag("model", model).tag("term", term).register(registry);
    }
    successes = Counter.builder("streamvae.trainer.runs").description("Training runs by outcome")
        .tag("model", model).tag("outcome", "success").register(registry);
    failures = Counter.builder("streamvae.trainer.runs").description("Training runs by outcome")
        .tag("model", model).tag("outcome", "failure").register(registry);
    runDuration = Timer.builder("streamvae.trainer.run.duration")
        .description("Wall-clock time of a training run").tag("model", model).register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  private void gauge(String name, String description, AtomicLong value) {
    Gauge.builder(name, value, AtomicLong::get).description(description).tag("model", model)
        .register(registry);
  }

  /** Serves {@code /metrics} on {@code address} until {@link #close()}. */
  public TrainerMetrics serve(InetSocketAddress address) throws IOException {
    server = HttpServer.create(address, 0);
    server.createContext("/metrics", exchange -> {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return this;
  }

  /** The port served on, or -1. */
  public int port() {
    return server == null ? -1 : server.getAddress().getPort();
  }

  /** The registry, for tests. */
  public MeterRegistry registry() {
    return registry;
  }

  /** A fit is starting. */
  public void runStarted(int plannedEpochs) {
    epoch.set(0);
    epochs.set(plannedEpochs);
  }

  @Override
  public void onEpoch(EpochStats s) {
    epoch.set(s.epoch());
    epochs.set(s.epochs());
    windowsPerSecond.set(s.windowsPerSecond());
    losses.get("total").set(s.loss());
    losses.get("reconstruction").set(s.reconstruction());
    losses.get("kl").set(s.kl());
  }

  /** A run ended with a published or written version. */
  public void runSucceeded(long version, Duration took) {
    successes.increment();
    runDuration.record(took);
    publishedVersion.set(version);
    lastSuccess.set(clock.instant().getEpochSecond());
  }

  /** A run failed. */
  public void runFailed(Duration took) {
    failures.increment();
    runDuration.record(took);
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
    registry.close();
  }
}
