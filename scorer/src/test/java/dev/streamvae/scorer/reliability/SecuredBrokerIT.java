package dev.streamvae.scorer.reliability;

import static dev.streamvae.scorer.reliability.Fixtures.WINDOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.streamvae.commandline.CommandLines;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.schemas.ScoreStatus;
import dev.streamvae.scorer.ScorerApplication;
import dev.streamvae.testkit.EmbeddedKafkaCluster;
import dev.streamvae.testkit.Topics;
import dev.streamvae.trainer.TrainCommand;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The trainer and the scorer against a broker that only speaks SASL_SSL (certificate made by the
 * test), once with PLAIN and once with SCRAM-SHA-512 credentials: the trainer publishes a model
 * with its client settings from a properties file, the scorer takes its settings as {@code
 * kafka.*} properties and scores. The password never shows in the logs (Kafka's own included,
 * at INFO) nor in any HTTP answer; the read-only endpoints are served on a separate management
 * port when {@code endpoints.all.port} is set.
 */
@Tag("slow")
class SecuredBrokerIT {

  private static final String SCRAM_USER = "scorer-scram";
  private static final String SCRAM_PASSWORD = "scram-" + UUID.randomUUID();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static EmbeddedKafkaCluster cluster;
  private static Path dir;
  private static Path csv;
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
  private static Level kafkaLevel;

  @BeforeAll
  static void start() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    LOGS.start();
    root.addAppender(LOGS);
    // Kafka clients print their whole configuration at INFO: that is where a leak would be.
    // Captured only, not printed: the build log need not hold a few hundred config dumps.
    Logger kafka = (Logger) LoggerFactory.getLogger("org.apache.kafka");
    kafkaLevel = kafka.getLevel();
    kafka.setLevel(Level.INFO);
    kafka.addAppender(LOGS);
    kafka.setAdditive(false);

    dir = Files.createTempDirectory("scorer-secured-");
    cluster = EmbeddedKafkaCluster.startSaslSsl();
    try (Admin admin = Admin.create(cluster.clientProperties())) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(SCRAM_USER,
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), SCRAM_PASSWORD)))
          .all().get(30, TimeUnit.SECONDS);
      Topics.createAndAwait(admin, List.of(new NewTopic(Fixtures.METRICS, 2, (short) 1),
          new NewTopic(Fixtures.SCORES, 2, (short) 1),
          new NewTopic(Fixtures.ALERTS, 1, (short) 1),
          new NewTopic(Fixtures.DEAD_LETTERS, 1, (short) 1)), Duration.ofSeconds(30));
    }
    StringBuilder history = new StringBuilder("timestamp,value\n");
    for (int i = 0; i < 300; i++) {
      history.append(i * Fixtures.STEP).append(',').append(Fixtures.value(i)).append('\n');
    }
    csv = Files.writeString(dir.resolve("history.csv"), history);
  }

  @AfterAll
  static void stop() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(LOGS);
    Logger kafka = (Logger) LoggerFactory.getLogger("org.apache.kafka");
    kafka.setAdditive(true);
    kafka.detachAppender(LOGS);
    kafka.setLevel(kafkaLevel);
    if (cluster != null) {
      cluster.close();
    }
    CrashAndRestartIT.deleteQuietly(dir);
  }

  @Test
  void plainCredentialsTrainPublishAndScoreWithoutLeakingThePassword() throws Exception {
    Map<String, Object> client = cluster.clientProperties();
    runRound("plain", client, passwordIn(client));
  }

  @Test
  void scramCredentialsTrainPublishAndScoreWithoutLeakingThePassword() throws Exception {
    Map<String, Object> client = cluster.clientProperties("SCRAM-SHA-512", SCRAM_USER,
        SCRAM_PASSWORD);
    runRound("scram", client, SCRAM_PASSWORD);
  }

  private static String passwordIn(Map<String, Object> client) {
    String jaas = client.get("sasl.jaas.config").toString();
    int start = jaas.indexOf("password=\"") + "password=\"".length();
    return jaas.substring(start, jaas.indexOf('"', start));
  }

  private void runRound(String name, Map<String, Object> client, String password)
      throws Exception {
    assertThat(password).isNotBlank();
    String truststorePassword = client.get("ssl.truststore.password").toString();

    // The trainer: client settings from a properties file, as an operator would give them.
    Path clientFile = dir.resolve(name + "-client.properties");
    Properties fileProps = new Properties();
    client.forEach((k, v) -> {
      if (!k.equals("bootstrap.servers")) {
        fileProps.put(k, v.toString());
      }
    });
    try (OutputStream out = Files.newOutputStream(clientFile)) {
      fileProps.store(out, null);
    }
    StringWriter trainerOut = new StringWriter();
    StringWriter trainerErr = new StringWriter();
    CommandLine train = CommandLines.configure(new CommandLine(new TrainCommand()));
    train.setOut(new PrintWriter(trainerOut, true));
    train.setErr(new PrintWriter(trainerErr, true));
    int status = train.execute("--bootstrap-servers", cluster.bootstrapServers(),
        "--kafka-config", clientFile.toString(), "--csv", csv.toString(),
        "--model-name", Fixtures.MODEL, "--window", String.valueOf(WINDOW), "--epochs", "2",
        "--hidden", "8", "--latent", "2", "--mc-samples", "2",
        "--out", dir.resolve(name + "-{version}.svae").toString());
    assertThat(status).as(trainerErr.toString()).isZero();

    // The scorer: every client setting as kafka.*; health and metrics on a management port.
    Map<String, Object> props = Fixtures.scorerProperties(cluster.bootstrapServers(),
        "secured-it-" + name + "-" + System.nanoTime(), dir.resolve(name + "-state").toString());
    client.forEach((k, v) -> props.put("kafka." + k, v));
    int managementPort = freePort();
    props.put("endpoints.all.port", managementPort);
    ApplicationContext scorer = ScorerApplication.start(props);
    try (KafkaProducer<String, byte[]> producer = Fixtures.producer(client);
         Fixtures.Outputs outputs = new Fixtures.Outputs(client, 2)) {
      URI app = ScorerApplication.baseUrl(scorer);
      URI management = URI.create("http://127.0.0.1:" + managementPort);
      int points = 2 * WINDOW;
      for (int i = 0; i < points; i++) {
        producer.send(Fixtures.point(name, i));
      }
      producer.flush();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
          .until(() -> outputs.poll() >= points);
      List<ScoreRecord> scored = new ArrayList<>();
      outputs.scores.forEach((k, v) -> scored.addAll(v));
      assertThat(scored).hasSize(points).filteredOn(s -> s.status() == ScoreStatus.SCORED)
          .hasSize(points - WINDOW + 1);

      // Management endpoints on their own port, the service's own pages on the main one.
      assertThat(get(management.resolve("/health")).statusCode()).isEqualTo(200);
      assertThat(get(management.resolve("/prometheus")).statusCode()).isEqualTo(200);
      assertThat(get(app.resolve("/health")).statusCode()).isEqualTo(404);
      assertThat(get(app.resolve("/prometheus")).statusCode()).isEqualTo(404);
      assertThat(get(app.resolve("/model")).statusCode()).isEqualTo(200);

      List<String> bodies = new ArrayList<>();
      for (String path : List.of("/health", "/prometheus", "/beans", "/info", "/loggers",
          "/routes", "/env", "/metrics", "/threaddump")) {
        bodies.add(path + " " + get(management.resolve(path)).body());
      }
      for (String path : List.of("/model", "/live/data", "/live")) {
        bodies.add(path + " " + get(app.resolve(path)).body());
      }
      for (String path : List.of("/beans", "/env", "/routes", "/threaddump")) {
        assertThat(get(management.resolve(path)).statusCode())
            .as("%s describes the process to anyone; off by default", path).isEqualTo(404);
      }
      assertThat(post(management.resolve("/refresh"), "{\"force\":true}").statusCode())
          .as("state-changing /refresh is off").isNotEqualTo(200);
      assertThat(post(management.resolve("/loggers/dev.streamvae"),
          "{\"configuredLevel\":\"OFF\"}").statusCode())
          .as("no anonymous client changes a log level").isGreaterThanOrEqualTo(400);
      for (String body : bodies) {
        assertThat(body).doesNotContain(password).doesNotContain(truststorePassword);
      }
    } finally {
      scorer.close();
    }
    List<String> lines = new ArrayList<>();
    synchronized (LOGS) {
      for (ILoggingEvent e : List.copyOf(LOGS.list)) {
        lines.add(e.getFormattedMessage());
      }
    }
    assertThat(lines).as("captured log lines").isNotEmpty()
        .anySatisfy(line -> assertThat(line).contains("sasl.jaas.config"));
    assertThat(lines).noneSatisfy(line -> assertThat(line).contains(password))
        .noneSatisfy(line -> assertThat(line).contains(truststorePassword));
    assertThat(trainerOut.toString() + trainerErr).doesNotContain(password)
        .doesNotContain(truststorePassword);
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(URI uri, String json) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return socket.getLocalPort();
    }
  }
}
