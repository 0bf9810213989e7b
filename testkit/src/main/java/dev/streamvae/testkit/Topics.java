package dev.streamvae.testkit;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics and waits until they can safely take records.
 *
 * <p>Why the wait: KAFKA-15591 (fixed in Kafka 4.5) lets an idempotent producer that writes right
 * after topic creation lose records silently (NOT_LEADER_OR_FOLLOWER, then
 * OUT_OF_ORDER_SEQUENCE until the delivery timeout). Once {@code listOffsets} answers for every
 * partition, the leaders are in place and producing is safe.
 */
public final class Topics {

  private static final long RETRY_PAUSE_MILLIS = 50;

  private Topics() {}

  /** Connects an admin client to {@code bootstrapServers} and calls the other overload. */
  public static void createAndAwait(
      String bootstrapServers, Collection<NewTopic> topics, Duration timeout) {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      createAndAwait(admin, topics, timeout);
    }
  }

  /**
   * Creates the topics that do not exist yet (an existing one is left as it is), then waits until
   * {@code listOffsets} answers for every partition of each.
   *
   * @throws TimeoutException when the topics are not ready within {@code timeout}
   * @throws IllegalStateException when creation fails for another reason, or on interrupt
   */
  public static void createAndAwait(Admin admin, Collection<NewTopic> topics, Duration timeout) {
    if (topics.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      create(admin, topics, deadline);
      awaitOffsets(admin, topics.stream().map(NewTopic::name).toList(), deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  private static void create(Admin admin, Collection<NewTopic> topics, long deadline)
      throws InterruptedException {
    Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
    for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
      try {
        result.getValue().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic " + result.getKey() + ": "
              + e.getCause().getMessage(), e.getCause());
        }
      } catch (java.util.concurrent.TimeoutException e) {
        throw new TimeoutException("topic " + result.getKey() + " was not created in time", e);
      }
    }
  }

  private static void awaitOffsets(Admin admin, List<String> names, long deadline)
      throws InterruptedException {
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        Map<String, TopicDescription> descriptions = admin.describeTopics(names)
            .allTopicNames().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicDescription description : descriptions.values()) {
          description.partitions().forEach(p -> request.put(
              new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
        }
        admin.listOffsets(request).all().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        last = e;
      }
      Thread.sleep(RETRY_PAUSE_MILLIS);
    }
    throw new TimeoutException("topics " + names + " did not answer listOffsets in time"
        + (last == null ? "" : ": " + last), last);
  }

  private static long remainingMillis(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }
}
