package dev.streamvae.scorer.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamvae.testkit.EmbeddedKafkaCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A burst far above the sustainable rate: a backlog produced before the scorer starts (the
 * whole burst arrives at once, more than ten times what the scorer drains per second) is
 * consumed by a scorer JVM with a small fixed heap ({@code -Xmx}, default 256m; set
 * {@code -Dstreamvae.backpressure.heap=128m} to try another). Lag is the backlog; the process
 * must stay up, never run out of memory, and answer every record exactly once. Prints the
 * drain rate and the largest heap in use seen on {@code /prometheus}.
 */
@Tag("slow")
class BackPressureIT {

  private static final int SERIES = 60;
  private static final int POINTS = 200;
  private static final Pattern HEAP_USED = Pattern.compile(
      "^jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]*\"} ([0-9.E+-]+)$", Pattern.MULTILINE);

  @Test
  void aBacklogDrainsWithinASmallHeapWithNothingLost() throws Exception {
    String heap = System.getProperty("streamvae.backpressure.heap", "256m");
    Path dir = Files.createTempDirectory("scorer-backpressure-");
    try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start()) {
      String bootstrap = cluster.bootstrapServers();
      Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
      Fixtures.createTopics(bootstrap, 4);
      Fixtures.publish(client, Fixtures.trainModel());
      List<String> names = new ArrayList<>();
      for (int s = 0; s < SERIES; s++) {
        names.add("burst-" + s);
      }
      try (KafkaProducer<String, byte[]> producer = Fixtures.producer(client)) {
        for (int i = 0; i < POINTS; i++) {
          for (String s : names) {
            producer.send(Fixtures.point(s, i));
          }
        }
        producer.flush();
      }
      int total = SERIES * POINTS;
      int httpPort = freePort();
      Map<String, Object> props = Fixtures.scorerProperties(bootstrap,
          "backpressure-it-" + System.nanoTime(), dir.resolve("state").toString());
      props.put("micronaut.server.port", httpPort);
      HttpClient http = HttpClient.newHttpClient();
      URI prometheus = URI.create("http://127.0.0.1:" + httpPort + "/prometheus");
      double[] maxHeap = {0};
      try (ScorerProcess scorer = ScorerProcess.start(props, heap, dir.resolve("scorer.log"));
           Fixtures.Outputs outputs = new Fixtures.Outputs(client, 4)) {
        long[] firstOutput = {0};
        try {
          await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(10)).until(() -> {
            assertThat(scorer.isAlive()).as("scorer process alive").isTrue();
            int seen = outputs.poll();
            if (seen > 0 && firstOutput[0] == 0) {
              firstOutput[0] = System.nanoTime();
            }
            maxHeap[0] = Math.max(maxHeap[0], heapUsed(http, prometheus));
            return seen >= total;
          });
        } catch (org.awaitility.core.ConditionTimeoutException | AssertionError e) {
          System.err.println(scorer.log());
          throw e;
        }
        double seconds = (System.nanoTime() - firstOutput[0]) / 1e9;
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
          outputs.poll();
        }
        Fixtures.assertExactlyOnceAndWindowsKept(outputs, names, POINTS);
        assertThat(scorer.isAlive()).isTrue();
        assertThat(scorer.log()).doesNotContain("OutOfMemoryError")
            .doesNotContain("stream thread failed");
        System.out.printf("back-pressure: -Xmx%s drained %d records in %.1f s (%.0f records/s),"
            + " largest heap in use seen %.0f MiB%n", heap, total, seconds, total / seconds,
            maxHeap[0] / (1024 * 1024));
      }
    } finally {
      CrashAndRestartIT.deleteQuietly(dir);
    }
  }

  /** Heap in use summed over the pools, from /prometheus; 0 while it does not answer yet. */
  private static double heapUsed(HttpClient http, URI prometheus) {
    try {
      String body = http.send(HttpRequest.newBuilder(prometheus)
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
      double sum = 0;
      Matcher m = HEAP_USED.matcher(body);
      while (m.find()) {
        sum += Double.parseDouble(m.group(1));
      }
      return sum;
    } catch (IOException | InterruptedException e) {
      return 0;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return socket.getLocalPort();
    }
  }
}
