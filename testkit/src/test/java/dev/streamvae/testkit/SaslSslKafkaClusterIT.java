package dev.streamvae.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SASL_SSL variant of the in-process broker: PLAIN and SCRAM clients over TLS, nothing else. */
class SaslSslKafkaClusterIT {

  private static EmbeddedKafkaCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster = EmbeddedKafkaCluster.startSaslSsl();
    try (Admin admin = Admin.create(cluster.clientProperties())) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("bob",
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "bob-secret")))
          .all().get(30, TimeUnit.SECONDS);
      Topics.createAndAwait(admin, List.of(new NewTopic("t", 1, (short) 1)),
          Duration.ofSeconds(30));
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String roundTrip(Map<String, Object> client, String value) {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(client,
        new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("t", "k", value));
    }
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(client,
        new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition("t", 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < end) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        for (var r : records) {
          if (r.value().equals(value)) {
            return r.value();
          }
        }
      }
    }
    return null;
  }

  @Test
  void plainAndScramClientsConnectOverTls() {
    assertThat(cluster.clientProperties()).containsEntry("security.protocol", "SASL_SSL");
    assertThat(roundTrip(cluster.clientProperties(), "plain")).isEqualTo("plain");
    assertThat(roundTrip(cluster.clientProperties("SCRAM-SHA-256", "bob", "bob-secret"),
        "scram")).isEqualTo("scram");
  }

  @Test
  void aWrongPasswordOrPlaintextIsRefused() {
    Map<String, Object> wrong = new HashMap<>(
        cluster.clientProperties("SCRAM-SHA-256", "bob", "not-the-secret"));
    wrong.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    wrong.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(wrong)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(20, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
    Map<String, Object> plaintext = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000);
    try (Admin admin = Admin.create(plaintext)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(20, TimeUnit.SECONDS))
          .isNotNull();
    }
  }
}
