package dev.streamvae.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamvae.schemas.ModelManifest;
import dev.streamvae.vae.InvalidModelException;
import dev.streamvae.vae.ModelBundle;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes model bundles to the compacted models topic, each with a version one higher than the
 * newest already there under its name. Each version has its own key, {@code NAME@vVERSION}, so
 * compaction keeps every version (a scorer can pin or roll back to any of them, also after a
 * restart); removing a version is a tombstone for its key. Policy records ({@code policy:NAME})
 * share the topic.
 *
 * <p>Two trainers publishing the same model name at the same moment could pick the same version;
 * scorers keep the first they see of a version, so run one trainer per model name.
 */
public final class ModelPublisher {

  /** Largest bundle the topic and the clients accept: 64 MiB, well above the 1 MB default. */
  public static final int MAX_MODEL_BYTES = 64 * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(ModelPublisher.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Map<String, Object> clientProperties;
  private final String topic;

  /**
   * @param clientProperties Kafka client settings (bootstrap servers, security)
   * @param topic the models topic
   */
  public ModelPublisher(Map<String, Object> clientProperties, String topic) {
    this.clientProperties = Map.copyOf(clientProperties);
    this.topic = Objects.requireNonNull(topic, "topic");
  }

  /** Where a bundle landed. */
  public record Published(String topic, int partition, long offset, long version) {}

  /**
   * Creates the models topic if it is missing (compacted, one partition, room for
   * {@link #MAX_MODEL_BYTES}), and waits until its partition answers, because producing right
   * after creation can lose records (KAFKA-15591).
   */
  public void ensureTopic() {
    try (Admin admin = Admin.create(clientProperties)) {
      NewTopic newTopic = new NewTopic(topic, 1, (short) -1).configs(Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
          TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MODEL_BYTES)));
      try {
        admin.createTopics(List.of(newTopic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("created models topic '{}'", topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic '" + topic + "': "
              + e.getCause().getMessage(), e.getCause());
        }
      }
      awaitReady(admin);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic '" + topic + "'", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out creating topic '" + topic + "'", e);
    }
  }

  private void awaitReady(Admin admin) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    TopicPartition partition = new TopicPartition(topic, 0);
    while (true) {
      try {
        admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all()
            .get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic '" + topic + "' did not become ready", e);
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * The newest version published under a model name, or 0 when there is none. Reads the whole
   * (compacted, small) topic; envelopes that do not decode are ignored here, as scorers reject
   * them.
   */
  public long latestVersion(String modelName) {
    long[] latest = {0};
    forEachRecord(r -> {
      if (r.value() != null && (r.key() == null || !r.key().startsWith("policy:"))) {
        // Any envelope whose manifest reads counts, even one scorers reject (a bad checksum
        // or signature): version numbers only grow.
        Optional<ModelManifest> manifest = ModelBundle.peekManifest(r.value());
        if (manifest.isPresent() && modelName.equals(manifest.get().modelName())) {
          latest[0] = Math.max(latest[0], manifest.get().version());
        } else if (manifest.isEmpty()) {
          LOG.warn("ignoring undecodable envelope at {}-{}@{}", r.topic(), r.partition(),
              r.offset());
        }
      }
    });
    return latest[0];
  }

  /**
   * The version scorers serve for a model name (the champion): the policy record's pin when there
   * is one, else the newest promoted version (by the trainer's decision or an operator's
   * approval). Only envelopes that decode, pass their checksum and, when {@code trusted} is not
   * empty, carry a signature by one of those keys count, as on a scorer. Empty when there is none.
   *
   * @param modelName the model name
   * @param trusted public keys by key id; empty: signatures are not checked
   */
  public Optional<ModelBundle> champion(String modelName, Map<String, PublicKey> trusted) {
    java.util.TreeMap<Long, ModelBundle> versions = new java.util.TreeMap<>();
    Long pin = null;
    java.util.Set<Long> approved = new java.util.HashSet<>();
    for (ConsumerRecord<String, byte[]> r : readAll()) {
      if (("policy:" + modelName).equals(r.key())) {
        pin = null;
        approved.clear();
        if (r.value() != null) {
          try {
            JsonNode policy = POLICY_READER.readTree(r.value());
            pin = policy.path("pin").isIntegralNumber() ? policy.path("pin").asLong() : null;
            policy.path("approved").forEach(v -> approved.add(v.asLong()));
          } catch (IOException e) {
            LOG.warn("ignoring unreadable policy record at {}@{}", r.topic(), r.offset());
          }
        }
      } else if (r.value() != null) {
        try {
          ModelBundle b = ModelBundle.fromBytes(r.value());
          if (!b.manifest().modelName().equals(modelName)) {
            continue;
          }
          if (!trusted.isEmpty()) {
            b.verifySignature(trusted);
          }
          versions.putIfAbsent(b.manifest().version(), b);
        } catch (InvalidModelException e) {
          // Scorers reject it too: it cannot be the champion.
        }
      }
    }
    if (pin != null) {
      return Optional.ofNullable(versions.get(pin));
    }
    for (ModelBundle b : versions.descendingMap().values()) {
      if (b.manifest().promoted() || approved.contains(b.manifest().version())) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  private List<ConsumerRecord<String, byte[]>> readAll() {
    List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
    forEachRecord(records::add);
    return records;
  }

  /** Reads the whole topic, without a consumer group, from its start to its end now. */
  private void forEachRecord(java.util.function.Consumer<ConsumerRecord<String, byte[]>> action) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_MODEL_BYTES + 1024 * 1024);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, MAX_MODEL_BYTES + 1024 * 1024);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props,
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        consumer.poll(Duration.ofMillis(500)).forEach(action);
      }
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper POLICY_READER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** The models topic key of a version: {@code NAME@vVERSION}. */
  public static String key(ModelManifest manifest) {
    return manifest.modelName() + "@v" + manifest.version();
  }

  /** Sends the bundle as it is (its version already set) and waits for the broker's ack. */
  public Published publish(ModelBundle bundle) {
    byte[] bytes = bundle.toBytes();
    if (bytes.length > MAX_MODEL_BYTES) {
      throw new IllegalArgumentException("model is " + bytes.length + " bytes; the limit is "
          + MAX_MODEL_BYTES);
    }
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MODEL_BYTES + 1024 * 1024);
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * (MAX_MODEL_BYTES + 1024 * 1024));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props,
        new StringSerializer(), new ByteArraySerializer())) {
      RecordMetadata meta = producer.send(new ProducerRecord<>(topic, key(bundle.manifest()),
          bytes)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return new Published(meta.topic(), meta.partition(), meta.offset(),
          bundle.manifest().version());
    } catch (ExecutionException e) {
      throw new IllegalStateException("publishing failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out publishing to '" + topic + "'", e);
    }
  }
}
