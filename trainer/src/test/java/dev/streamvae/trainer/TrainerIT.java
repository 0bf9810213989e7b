package dev.streamvae.trainer;

import dev.streamvae.commandline.CommandLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.testkit.KafkaCluster;
import dev.streamvae.testkit.Topics;
import dev.streamvae.vae.ModelBundle;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The train command against a real broker: a time range of a topic in, versioned models out. */
class TrainerIT {

  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final long STEP = 60_000;
  private static KafkaCluster cluster;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    cluster = KafkaCluster.start();
    Topics.createAndAwait(cluster.bootstrapServers(),
        // Retention off: the records are back-dated to T0, weeks before now, and the broker's
        // retention check would otherwise delete them while the tests run.
        List.of(new NewTopic("metrics", 3, (short) 1).configs(Map.of("retention.ms", "-1"))),
        Duration.ofSeconds(30));
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
        Map.of("bootstrap.servers", cluster.bootstrapServers()), new StringSerializer(),
        new ByteArraySerializer())) {
      for (int s = 0; s < 3; s++) {
        for (int i = 0; i < 400; i++) {
          long ts = T0.toEpochMilli() + i * STEP;
          p.send(new ProducerRecord<>("metrics", null, ts, "s" + s, JsonCodec.metricRecord()
              .encode(new MetricRecord(null, ts, Map.of("cpu", Math.sin(i / 6.0 + s))))));
        }
      }
      p.send(new ProducerRecord<>("metrics", "s0", "garbage".getBytes()));
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private int train(Path out) {
    StringWriter err = new StringWriter();
    CommandLine cl = CommandLines.configure(new CommandLine(new TrainCommand()));
    cl.setErr(new PrintWriter(err, true));
    int status = cl.execute("--bootstrap-servers", cluster.bootstrapServers(),
        "--from", T0.plusMillis(100 * STEP).toString(),
        "--to", T0.plusMillis(300 * STEP).toString(),
        "--model-name", "cpu-model", "--out", out.toString(),
        "--window", "8", "--epochs", "2", "--hidden", "8", "--latent", "2");
    assertThat(status).as(err.toString()).isZero();
    return status;
  }

  @Test
  void trainsOnTheTimeRangeAndPublishesIncreasingVersionsToACompactedTopic() throws Exception {
    train(dir.resolve("v1.svae"));
    ModelBundle v1 = ModelBundle.readFrom(dir.resolve("v1.svae"));
    assertThat(v1.manifest().version()).isEqualTo(1);
    assertThat(v1.manifest().features()).containsExactly("cpu");
    assertThat(v1.manifest().training().seriesCount()).isEqualTo(3);
    assertThat(v1.manifest().training().dataFrom()).isEqualTo(T0.toEpochMilli() + 100 * STEP);
    assertThat(v1.manifest().training().dataTo()).isEqualTo(T0.toEpochMilli() + 299 * STEP);
    assertThat(v1.manifest().training().windowCount()).isEqualTo(3 * (200 - 8 + 1));

    train(dir.resolve("v2.svae"));
    assertThat(ModelBundle.readFrom(dir.resolve("v2.svae")).manifest().version()).isEqualTo(2);

    ModelPublisher publisher = new ModelPublisher(
        Map.of("bootstrap.servers", cluster.bootstrapServers()), "anomaly-models");
    assertThat(publisher.latestVersion("cpu-model")).isEqualTo(2);
    assertThat(publisher.latestVersion("other-model")).isZero();

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "anomaly-models");
      var config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(Integer.parseInt(config.get("max.message.bytes").value()))
          .isEqualTo(ModelPublisher.MAX_MODEL_BYTES);
    }
  }

  private String run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = CommandLines.configure(new CommandLine(command));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int status = cl.execute(args);
    assertThat(status).as(err.toString()).isZero();
    return out.toString();
  }

  @Test
  void signsAndHoldsAChallengerThatDoesWorseThanTheChampion() throws Exception {
    String keygen = run(new KeygenCommand(), "--out", dir.resolve("keys").toString());
    assertThat(keygen).contains("signing.key").contains("signing.pub");
    java.security.PublicKey pub = dev.streamvae.vae.SigningKeys.readPublic(
        java.nio.file.Files.readString(dir.resolve("keys/signing.pub")));
    Map<String, java.security.PublicKey> trusted =
        Map.of(dev.streamvae.vae.SigningKeys.keyId(pub), pub);
    List<String> common = List.of("--bootstrap-servers", cluster.bootstrapServers(),
        "--from", T0.plusMillis(100 * STEP).toString(), "--to", T0.plusMillis(300 * STEP)
            .toString(), "--model-name", "cc-model", "--window", "8",
        "--signing-key", dir.resolve("keys/signing.key").toString(),
        "--challenger-holdout", "0.3");
    List<String> champion = new java.util.ArrayList<>(common);
    champion.addAll(List.of("--out", dir.resolve("c1.svae").toString(), "--epochs", "20",
        "--hidden", "16", "--latent", "2", "--learning-rate", "0.01"));
    run(new TrainCommand(), champion.toArray(String[]::new));
    ModelBundle v1 = ModelBundle.readFrom(dir.resolve("c1.svae"));
    v1.verifySignature(trusted);
    // A short history (3 series of 200 records, 70% of them for training) trains at least
    // --min-steps' default of 400 gradient steps, so more epochs than --epochs' 20.
    assertThat(v1.manifest().trainingOptions()).containsEntry("minSteps", "400");
    assertThat(v1.manifest().training().epochs()).isGreaterThan(20);
    assertThat(v1.manifest().promoted()).isTrue();
    assertThat(v1.manifest().promotion().reason()).contains("no champion");
    assertThat(v1.manifest().validation()).containsKeys("meanAnomalyScore", "windows");
    // Trained only on the older 70%: the held-out range is not in its training data.
    assertThat(v1.manifest().training().dataTo())
        .isLessThan(v1.manifest().promotion().validationFrom());

    // A challenger that has barely moved from its initial weights does worse: held, not promoted.
    List<String> challenger = new java.util.ArrayList<>(common);
    challenger.addAll(List.of("--out", dir.resolve("c2.svae").toString(), "--epochs", "1",
        "--hidden", "4", "--latent", "2", "--learning-rate", "0.000001"));
    run(new TrainCommand(), challenger.toArray(String[]::new));
    ModelBundle v2 = ModelBundle.readFrom(dir.resolve("c2.svae"));
    v2.verifySignature(trusted);
    assertThat(v2.manifest().version()).isEqualTo(2);
    assertThat(v2.manifest().promoted()).isFalse();
    assertThat(v2.manifest().promotion().championVersion()).isEqualTo(1);
    assertThat(v2.manifest().promotion().challengerScore())
        .isGreaterThan(v2.manifest().promotion().championScore());
    ModelPublisher publisher = new ModelPublisher(
        Map.of("bootstrap.servers", cluster.bootstrapServers()), "anomaly-models");
    assertThat(publisher.champion("cc-model", trusted).map(b -> b.manifest().version()))
        .contains(1L);
  }

  /** Trains model 'ft-model' on the common range with these options; returns the bundle. */
  private ModelBundle trainFineTuneModel(String file, String... options) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("--bootstrap-servers",
        cluster.bootstrapServers(), "--from", T0.plusMillis(100 * STEP).toString(), "--to",
        T0.plusMillis(300 * STEP).toString(), "--model-name", "ft-model", "--window", "8",
        "--latent", "2", "--out", dir.resolve(file).toString()));
    args.addAll(List.of(options));
    if (!args.contains("--learning-rate")) {
      args.addAll(List.of("--learning-rate", "0.01"));
    }
    run(new TrainCommand(), args.toArray(String[]::new));
    return ModelBundle.readFrom(dir.resolve(file));
  }

  @Test
  void fineTunesTheServedVersionAndFallsBackToAFullTrainingWhenItsLayersDiffer()
      throws Exception {
    // Nothing served yet: a full training of --epochs (--min-steps 0: exactly those).
    ModelBundle v1 = trainFineTuneModel("f1.svae", "--epochs", "20", "--hidden", "16",
        "--fine-tune-epochs", "1", "--min-steps", "0");
    assertThat(v1.manifest().training().epochs()).isEqualTo(20);
    assertThat(v1.manifest().trainingOptions()).doesNotContainKey("fineTunedFrom");

    // By default at a tenth of the learning rate (0.001 here): the optimiser starts afresh, and
    // at the full 0.01 its first steps knock a centred model of this noiseless sine well off its
    // fit (docs/models.md).
    ModelBundle v2 = trainFineTuneModel("f2.svae", "--epochs", "20", "--hidden", "16",
        "--fine-tune-epochs", "1", "--min-steps", "0");
    assertThat(v2.manifest().training().epochs()).isEqualTo(1);
    assertThat(v2.manifest().trainingOptions()).containsEntry("fineTunedFrom", "1")
        .containsEntry("fineTuneEpochs", "1").containsEntry("fineTuneLearningRate", "0.001");
    // One epoch from v1's weights ends near v1's loss; one epoch from fresh weights does not.
    double freshLoss = trainFineTuneModel("fresh.svae", "--epochs", "1", "--hidden", "16",
        "--min-steps", "0", "--no-publish").manifest().training().finalLoss();
    double v1Loss = v1.manifest().training().finalLoss();
    assertThat(v2.manifest().training().finalLoss())
        .isLessThan(v1Loss + 0.5 * (freshLoss - v1Loss));

    // Other layers: the served version cannot be the start; a full training instead.
    ModelBundle v3 = trainFineTuneModel("f3.svae", "--epochs", "2", "--hidden", "32",
        "--fine-tune-epochs", "1", "--min-steps", "0");
    assertThat(v3.manifest().training().epochs()).isEqualTo(2);
    assertThat(v3.manifest().trainingOptions()).doesNotContainKey("fineTunedFrom");
  }
}
