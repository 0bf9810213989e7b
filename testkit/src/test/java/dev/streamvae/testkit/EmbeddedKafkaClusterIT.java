package dev.streamvae.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/** Runs one in-process broker for the class and checks what the services rely on. */
class EmbeddedKafkaClusterIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static EmbeddedKafkaCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = EmbeddedKafkaCluster.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void listensOnLoopbackOnly() throws IOException {
    assertThat(cluster.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
    assertThat(cluster.serverConfig().get("listeners"))
        .matches("PLAINTEXT://127\\.0\\.0\\.1:\\d+,CONTROLLER://127\\.0\\.0\\.1:\\d+");
    assertThat(cluster.serverConfig().get("advertised.listeners"))
        .isEqualTo("PLAINTEXT://" + cluster.bootstrapServers());

    int port = Integer.parseInt(cluster.bootstrapServers().split(":")[1]);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(EmbeddedKafkaCluster.HOST, port), 2_000);
    }
    for (InetAddress other : nonLoopbackAddresses()) {
      assertThat(connects(other, port)).as("broker port reachable on %s", other).isFalse();
    }
  }

  @Test
  void idempotentProducerLosesNothingRightAfterTopicCreation() {
    String topic = "idempotent-" + UUID.randomUUID();
    Topics.createAndAwait(cluster.bootstrapServers(), List.of(new NewTopic(topic, 3, (short) 1)),
        TIMEOUT);
    int count = 10_000;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 5),
        new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, "key-" + (i % 97), "value-" + i));
      }
      producer.flush();
    }

    List<ConsumerRecord<String, String>> records = consume(topic, "read_uncommitted", count);
    assertThat(records).hasSize(count);
    Set<String> values = new HashSet<>();
    records.forEach(r -> values.add(r.value()));
    assertThat(values).hasSize(count);
  }

  @Test
  void committedTransactionsAreVisibleToReadCommittedAndAbortedOnesAreNot() {
    String topic = "transactional-" + UUID.randomUUID();
    Topics.createAndAwait(cluster.bootstrapServers(), List.of(new NewTopic(topic, 2, (short) 1)),
        TIMEOUT);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID()),
        new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "a", "aborted"));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
      }
      producer.commitTransaction();
    }

    List<ConsumerRecord<String, String>> records = consume(topic, "read_committed", 10);
    assertThat(records).extracting(ConsumerRecord::value).hasSize(10)
        .allMatch(v -> v.startsWith("committed-"));
  }

  @Test
  void runsAnExactlyOnceStreamsApplication() {
    String in = "eos-in-" + UUID.randomUUID();
    String out = "eos-out-" + UUID.randomUUID();
    Topics.createAndAwait(cluster.bootstrapServers(), List.of(new NewTopic(in, 2, (short) 1),
        new NewTopic(out, 2, (short) 1)), TIMEOUT);
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
        .mapValues(v -> v.toUpperCase(java.util.Locale.ROOT))
        .to(out, Produced.with(Serdes.String(), Serdes.String()));
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "eos-" + UUID.randomUUID());
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.put(StreamsConfig.STATE_DIR_CONFIG, cluster.directory().resolve("streams").toString());
    config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    int count = 200;
    try (KafkaStreams streams = new KafkaStreams(builder.build(), config);
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
            new StringSerializer(), new StringSerializer())) {
      streams.start();
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(in, "k" + i, "v" + i));
      }
      producer.flush();
      List<ConsumerRecord<String, String>> records = consume(out, "read_committed", count);
      assertThat(records).extracting(ConsumerRecord::value).hasSize(count)
          .allMatch(v -> v.startsWith("V"));
    }
  }

  @Test
  void acceptsRecordsTheSizeOfALargeModel() {
    String topic = "large-" + UUID.randomUUID();
    Topics.createAndAwait(cluster.bootstrapServers(), List.of(new NewTopic(topic, 1, (short) 1)
        .configs(Map.of("cleanup.policy", "compact"))), TIMEOUT);
    byte[] payload = new byte[8 * 1024 * 1024];
    new java.util.Random(1).nextBytes(payload);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, EmbeddedKafkaCluster.MAX_MESSAGE_BYTES),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, "model".getBytes(), payload)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("a large record was refused", e);
    }
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(new org.apache.kafka.common.TopicPartition(topic, 0)));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      byte[] received = null;
      while (received == null && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          received = r.value();
        }
      }
      assertThat(received).isEqualTo(payload);
    }
  }

  @Test
  void createAndAwaitLeavesExistingTopicsAlone() throws Exception {
    String topic = "existing-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
      Topics.createAndAwait(admin, List.of(new NewTopic(topic, 2, (short) 1)), TIMEOUT);
      Topics.createAndAwait(admin, List.of(new NewTopic(topic, 5, (short) 1),
          new NewTopic(topic + "-b", 1, (short) 1)), TIMEOUT);
      assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
          .partitions()).hasSize(2);
      assertThat(admin.listTopics().names().get()).contains(topic, topic + "-b");
    }
  }

  @Test
  void startPicksTheEmbeddedBrokerWithoutDockerAndCloseDeletesItsData() {
    assumeThat(DockerClientFactory.instance().isDockerAvailable()).as("no Docker here").isFalse();
    KafkaCluster other = KafkaCluster.start();
    assertThat(other).isInstanceOf(EmbeddedKafkaCluster.class);
    assertThat(other.bootstrapServers()).isNotEqualTo(cluster.bootstrapServers());
    Path dir = ((EmbeddedKafkaCluster) other).directory();
    assertThat(dir).isDirectory();

    other.close();
    assertThat(Files.exists(dir)).isFalse();
    assertThatCode(other::close).doesNotThrowAnyException();
  }

  private static List<ConsumerRecord<String, String>> consume(
      String topic, String isolation, int expected) {
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation),
        new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      int emptyPollsAfterExpected = 0;
      // Keep polling briefly after reaching the count, so duplicates would show.
      while (System.nanoTime() < deadline && emptyPollsAfterExpected < 3) {
        int before = out.size();
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        if (out.size() >= expected && out.size() == before) {
          emptyPollsAfterExpected++;
        }
      }
      consumer.commitSync();
    }
    return out;
  }

  private static List<InetAddress> nonLoopbackAddresses() throws SocketException {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          out.add(address);
        }
      }
    }
    return out;
  }

  private static boolean connects(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 1_000);
      return true;
    } catch (ConnectException | SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
