package dev.streamvae.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamvae.scorer.model.ActiveModel;
import dev.streamvae.scorer.model.EnvelopeVerifier;
import dev.streamvae.scorer.model.LoadAttempt;
import dev.streamvae.scorer.model.ModelRegistry;
import dev.streamvae.scorer.model.ModelTopicWatcher;
import dev.streamvae.scorer.model.SeriesRouter;
import dev.streamvae.scorer.model.TestEnvelopes;
import dev.streamvae.testkit.KafkaCluster;
import dev.streamvae.trainer.ModelPublisher;
import dev.streamvae.vae.ModelBundle;
import dev.streamvae.vae.TrainingSet;
import dev.streamvae.vae.VaeConfig;
import dev.streamvae.vae.VaeTrainer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A model of more than 50 MB goes through the real path: published by the trainer's publisher
 * (one record: the topic's max.message.bytes and the producer's max.request.size are 64 MiB),
 * read by the scorer's watcher (fetch limits 65 MiB), verified (signature, checksum, reference
 * windows) and activated.
 */
class LargeModelIT {

  @Test
  void aFiftyMegabyteModelPublishesAndLoads() throws Exception {
    int window = 8;
    TrainingSet.Builder data = TrainingSet.builder(List.of("value"), window, 1);
    long[] ts = new long[80];
    double[][] values = new double[80][1];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = i * 1000L;
      values[i][0] = TestEnvelopes.value(i);
    }
    data.addSeries("s", ts, values);
    // Two hidden layers of 2600 in the encoder and the decoder: 2 * 2600^2 weights, ~54 MB.
    ModelBundle big = VaeTrainer.train(data.build(), VaeConfig.builder().windowLength(window)
            .featureCount(1).hiddenSizes(2600, 2600).latentDim(2).epochs(1).batchSize(64)
            .mcSamples(1).build(), s -> { })
        .toBundle("big", 1, Instant.now()).signed(TestEnvelopes.KEYS);
    byte[] envelope = big.toBytes();
    assertThat(envelope.length).isGreaterThan(50_000_000);

    try (KafkaCluster cluster = KafkaCluster.start()) {
      ModelPublisher publisher = new ModelPublisher(
          Map.of("bootstrap.servers", cluster.bootstrapServers()), "big-models");
      publisher.ensureTopic();
      publisher.publish(big);

      List<LoadAttempt> attempts = new CopyOnWriteArrayList<>();
      ModelRegistry registry = new ModelRegistry(new SeriesRouter("big", List.of()), "big",
          new EnvelopeVerifier(TestEnvelopes.trusted(), false, 68_157_440, 1e-4, 64, Map.of()),
          Map.of(), 1, Clock.systemUTC(), attempts::add);
      try (ModelTopicWatcher watcher = new ModelTopicWatcher(
          Map.of("bootstrap.servers", cluster.bootstrapServers()), "big-models", registry,
          Duration.ofSeconds(1))) {
        watcher.start();
        assertThat(watcher.awaitCaughtUp(Duration.ofSeconds(120))).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> registry.current().isPresent());
      }
      ActiveModel active = registry.current().orElseThrow();
      assertThat(active.version()).isEqualTo(1);
      assertThat(active.manifest().payloadSize()).isGreaterThan(50_000_000);
      assertThat(attempts).extracting(LoadAttempt::outcome)
          .containsExactly(LoadAttempt.Outcome.ACTIVATED);
      assertThat(publisher.latestVersion("big")).isEqualTo(1);
    }
  }
}
