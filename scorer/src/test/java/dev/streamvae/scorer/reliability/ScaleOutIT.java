package dev.streamvae.scorer.reliability;

import static dev.streamvae.scorer.reliability.Fixtures.WINDOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.scorer.ScorerApplication;
import dev.streamvae.scorer.streams.ScoringService;
import dev.streamvae.testkit.EmbeddedKafkaCluster;
import dev.streamvae.vae.ModelBundle;
import io.micronaut.context.ApplicationContext;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Several scorer instances with one application id on 12 partitions: two share the work, a third
 * joins and takes its share, a new model version reaches all three, and one stopped mid-stream
 * hands its partitions and their windows (kept warm by a standby replica) to the other two,
 * with exactly one output per input throughout.
 */
@Tag("slow")
class ScaleOutIT {

  private static final int PARTITIONS = 12;
  private static final int SERIES = 24;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<ApplicationContext> instances = new ArrayList<>();

  private static Set<String> partitionsOf(ApplicationContext instance) {
    return instance.getBean(ScoringService.class).activePartitions();
  }

  private static long activeModelVersion(ApplicationContext instance) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
        ScorerApplication.baseUrl(instance).resolve("/model")).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body()).path("active").path("version").asLong(-1);
  }

  /** Waits until the running instances each process some partitions, all 12 between them. */
  private void awaitWorkShared(List<ApplicationContext> running) {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
      Set<String> all = new HashSet<>();
      int sum = 0;
      for (ApplicationContext instance : running) {
        Set<String> mine = partitionsOf(instance);
        if (mine.isEmpty()) {
          return false;
        }
        all.addAll(mine);
        sum += mine.size();
      }
      return all.size() == PARTITIONS && sum == PARTITIONS;
    });
  }

  private static void send(KafkaProducer<String, byte[]> producer, List<String> names,
      int from, int to) {
    for (int i = from; i < to; i++) {
      for (String s : names) {
        producer.send(Fixtures.point(s, i));
      }
    }
    producer.flush();
  }

  private static void awaitOutputs(Fixtures.Outputs outputs, int count) {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10))
        .until(() -> outputs.poll() >= count);
  }

  @Test
  void instancesShareTheWorkTakeNewModelsAndTakeOverAStoppedOnesSeries() throws Exception {
    Path dir = Files.createTempDirectory("scorer-scale-out-");
    try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start()) {
      String bootstrap = cluster.bootstrapServers();
      Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
      Fixtures.createTopics(bootstrap, PARTITIONS);
      ModelBundle model = Fixtures.trainModel();
      Fixtures.publish(client, model);
      String applicationId = "scale-out-it-" + System.nanoTime();
      List<String> names = new ArrayList<>();
      for (int s = 0; s < SERIES; s++) {
        names.add("scale-" + s);
      }
      try (KafkaProducer<String, byte[]> producer = Fixtures.producer(client);
           Fixtures.Outputs outputs = new Fixtures.Outputs(client, PARTITIONS)) {
        for (int n = 0; n < 2; n++) {
          instances.add(start(bootstrap, applicationId, dir.resolve("state-" + n)));
        }
        awaitWorkShared(instances);
        int sent = 0;
        send(producer, names, 0, 2 * WINDOW);
        sent += 2 * WINDOW;
        awaitOutputs(outputs, SERIES * sent);

        instances.add(start(bootstrap, applicationId, dir.resolve("state-2")));
        awaitWorkShared(instances);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .untilAsserted(() -> {
              Set<String> standby = new HashSet<>();
              for (ApplicationContext instance : instances) {
                Set<String> mine = instance.getBean(ScoringService.class).standbyPartitions();
                assertThat(mine).as("a standby is never the active copy")
                    .doesNotContainAnyElementsOf(partitionsOf(instance));
                standby.addAll(mine);
              }
              assertThat(standby).as("scorer.standby-replicas=1: every partition has a warm"
                  + " copy elsewhere").hasSize(PARTITIONS);
            });
        send(producer, names, sent, sent + WINDOW);
        sent += WINDOW;
        awaitOutputs(outputs, SERIES * sent);

        long v2 = Fixtures.publish(client, model);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          for (ApplicationContext instance : instances) {
            if (activeModelVersion(instance) != v2) {
              return false;
            }
          }
          return true;
        });
        int firstAfterSwap = sent;
        send(producer, names, sent, sent + WINDOW);
        sent += WINDOW;
        awaitOutputs(outputs, SERIES * sent);
        for (String s : names) {
          for (int i = firstAfterSwap; i < sent; i++) {
            ScoreRecord score = outputs.scores.get(s + "@" + (Fixtures.T0 + i * Fixtures.STEP))
                .get(0);
            assertThat(score.modelVersion()).as(s + " on every instance").isEqualTo(v2);
          }
        }

        // Stop one mid-stream: the rest of the records are produced while it goes.
        ApplicationContext leaving = instances.remove(1);
        Thread stopper = new Thread(leaving::close);
        stopper.start();
        send(producer, names, sent, sent + 2 * WINDOW);
        sent += 2 * WINDOW;
        stopper.join();
        awaitWorkShared(instances);
        send(producer, names, sent, sent + WINDOW);
        sent += WINDOW;
        awaitOutputs(outputs, SERIES * sent);
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
          outputs.poll();
        }
        Fixtures.assertExactlyOnceAndWindowsKept(outputs, names, sent);
      } finally {
        for (ApplicationContext instance : instances) {
          instance.close();
        }
      }
    } finally {
      CrashAndRestartIT.deleteQuietly(dir);
    }
  }

  private static ApplicationContext start(String bootstrap, String applicationId, Path state) {
    Map<String, Object> props = Fixtures.scorerProperties(bootstrap, applicationId,
        state.toString());
    props.put("scorer.standby-replicas", 1);
    props.put("scorer.live.enabled", false);
    props.put("kafka.session.timeout.ms", 6000);
    props.put("kafka.heartbeat.interval.ms", 1000);
    return ScorerApplication.start(props);
  }
}
