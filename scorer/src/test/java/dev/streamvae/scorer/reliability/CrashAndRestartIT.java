package dev.streamvae.scorer.reliability;

import static dev.streamvae.scorer.reliability.Fixtures.WINDOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamvae.scorer.ScorerApplication;
import dev.streamvae.testkit.EmbeddedKafkaCluster;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Faults against a real broker under exactly-once processing: a scorer JVM killed (SIGKILL)
 * mid-stream while micro-batches are pending and started again; the broker stopped and started
 * again mid-stream. After each, every input record has exactly one output, and no series
 * warms up twice (its window survived).
 */
@Tag("slow")
class CrashAndRestartIT {

  private static final int SERIES = 8;
  private static final int POINTS = 240;

  private static List<String> series(String prefix) {
    List<String> names = new ArrayList<>();
    for (int s = 0; s < SERIES; s++) {
      names.add(prefix + s);
    }
    return names;
  }

  /** Sends points {@code from..to-1} of every series, one round per {@code pause}. */
  private static CompletableFuture<Void> produce(KafkaProducer<String, byte[]> producer,
      List<String> names, int from, int to, long pauseMillis, AtomicInteger acked) {
    return CompletableFuture.runAsync(() -> {
      for (int i = from; i < to; i++) {
        for (String s : names) {
          producer.send(Fixtures.point(s, i), (metadata, error) -> {
            if (error == null) {
              acked.incrementAndGet();
            }
          });
        }
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      producer.flush();
    });
  }

  private static void awaitOutputs(Fixtures.Outputs outputs, int count, Duration atMost,
      Runnable onTimeout) {
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(10))
          .until(() -> outputs.poll() >= count);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      onTimeout.run();
      throw e;
    }
  }

  /** Polls a little longer so that a duplicate emitted late would be seen. */
  private static void drain(Fixtures.Outputs outputs) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < end) {
      outputs.poll();
    }
  }

  @Test
  void aKilledScorerProcessRestartsWithNothingLostOrDuplicatedAndItsWindowsKept()
      throws Exception {
    Path dir = Files.createTempDirectory("scorer-crash-");
    try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start()) {
      String bootstrap = cluster.bootstrapServers();
      Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
      Fixtures.createTopics(bootstrap, 4);
      Fixtures.publish(client, Fixtures.trainModel());
      Map<String, Object> props = Fixtures.scorerProperties(bootstrap,
          "crash-it-" + System.nanoTime(), dir.resolve("state").toString());
      // Batches fill in about a second, so at any instant some records are queued in the
      // pending store and committed with the input offsets: the kill lands among them.
      props.put("scorer.batch-size", 64);
      props.put("scorer.max-batch-delay", "2s");
      props.put("scorer.live.enabled", false);
      props.put("kafka.session.timeout.ms", 6000);
      props.put("kafka.heartbeat.interval.ms", 1000);
      List<String> names = series("crash-");
      AtomicInteger acked = new AtomicInteger();
      try (KafkaProducer<String, byte[]> producer = Fixtures.producer(client);
           Fixtures.Outputs outputs = new Fixtures.Outputs(client, 4)) {
        ScorerProcess first = ScorerProcess.start(props, "512m", dir.resolve("first.log"));
        try {
          produce(producer, names, 0, 2 * WINDOW, 0, acked).get();
          awaitOutputs(outputs, SERIES * 2 * WINDOW, Duration.ofSeconds(120),
              () -> System.err.println(first.log()));
          CompletableFuture<Void> stream = produce(producer, names, 2 * WINDOW, POINTS, 25,
              acked);
          awaitOutputs(outputs, SERIES * 4 * WINDOW, Duration.ofSeconds(60),
              () -> System.err.println(first.log()));
          assertThat(stream).as("killed mid-stream").isNotDone();
          first.kill();
          int beforeRestart = outputs.poll();
          try (ScorerProcess second = ScorerProcess.start(props, "512m",
              dir.resolve("second.log"))) {
            stream.get(60, TimeUnit.SECONDS);
            assertThat(acked.get()).isEqualTo(SERIES * POINTS);
            awaitOutputs(outputs, SERIES * POINTS, Duration.ofSeconds(120),
                () -> System.err.println(second.log()));
            drain(outputs);
            assertThat(beforeRestart).as("outputs before the restart").isLessThan(
                SERIES * POINTS);
            Fixtures.assertExactlyOnceAndWindowsKept(outputs, names, POINTS);
            assertThat(second.log()).as("the restarted scorer found queued records in the"
                + " restored pending store").contains("restored records awaiting their scores");
          }
        } finally {
          first.close();
        }
      }
    } finally {
      deleteQuietly(dir);
    }
  }

  @Test
  void aBrokerRestartMidStreamLosesAndDuplicatesNothing() throws Exception {
    Path dir = Files.createTempDirectory("scorer-broker-restart-");
    try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start()) {
      String bootstrap = cluster.bootstrapServers();
      Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
      Fixtures.createTopics(bootstrap, 4);
      Fixtures.publish(client, Fixtures.trainModel());
      Map<String, Object> props = Fixtures.scorerProperties(bootstrap,
          "broker-restart-it-" + System.nanoTime(), dir.resolve("state").toString());
      props.put("scorer.live.enabled", false);
      List<String> names = series("bounce-");
      AtomicInteger acked = new AtomicInteger();
      ApplicationContext scorer = ScorerApplication.start(props);
      try (KafkaProducer<String, byte[]> producer = Fixtures.producer(client);
           Fixtures.Outputs outputs = new Fixtures.Outputs(client, 4)) {
        produce(producer, names, 0, 2 * WINDOW, 0, acked).get();
        awaitOutputs(outputs, SERIES * 2 * WINDOW, Duration.ofSeconds(60), () -> { });
        CompletableFuture<Void> stream = produce(producer, names, 2 * WINDOW, POINTS, 20,
            acked);
        awaitOutputs(outputs, SERIES * 4 * WINDOW, Duration.ofSeconds(60), () -> { });
        cluster.stopBroker();
        Thread.sleep(3_000);
        assertThat(stream).as("the broker went down mid-stream").isNotDone();
        cluster.restartBroker();
        stream.get(120, TimeUnit.SECONDS);
        assertThat(acked.get()).isEqualTo(SERIES * POINTS);
        awaitOutputs(outputs, SERIES * POINTS, Duration.ofSeconds(120), () -> { });
        drain(outputs);
        Fixtures.assertExactlyOnceAndWindowsKept(outputs, names, POINTS);
      } finally {
        scorer.close();
      }
    } finally {
      deleteQuietly(dir);
    }
  }

  static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      // temporary files; the OS cleans up
    }
  }
}
