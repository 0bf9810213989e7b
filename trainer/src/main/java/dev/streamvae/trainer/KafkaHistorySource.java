package dev.streamvae.trainer;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.MetricRecord;
import dev.streamvae.schemas.SchemaException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the records of a metrics topic whose timestamps fall in {@code [from, to)}. Partitions are
 * assigned directly (no consumer group, nothing committed), each read from the first offset at or
 * after {@code from} up to its end offset at the time the read started, so a topic that keeps
 * growing still yields a bounded read. The time range is judged on the record's own
 * {@code timestamp} field, not the Kafka timestamp, which only positions the start.
 */
public final class KafkaHistorySource implements HistorySource {

  private static final Duration POLL = Duration.ofMillis(500);

  private final Map<String, Object> clientProperties;
  private final String topic;
  private final Instant from;
  private final Instant to;

  /**
   * @param clientProperties Kafka client settings (bootstrap servers, security)
   * @param topic the metrics topic
   * @param from inclusive start of the range
   * @param to exclusive end of the range
   */
  public KafkaHistorySource(Map<String, Object> clientProperties, String topic, Instant from,
      Instant to) {
    this.clientProperties = Map.copyOf(clientProperties);
    this.topic = Objects.requireNonNull(topic, "topic");
    this.from = Objects.requireNonNull(from, "from");
    this.to = Objects.requireNonNull(to, "to");
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("--from must be before --to");
    }
  }

  @Override
  public String describe() {
    return "topic '" + topic + "' from " + from + " to " + to;
  }

  @Override
  public History read() {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "streamvae-trainer-history");
    History.Builder history = History.builder();
    JsonCodec<MetricRecord> codec = JsonCodec.metricRecord();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props,
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      if (partitions.isEmpty()) {
        throw new IllegalArgumentException("topic '" + topic + "' does not exist");
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(p -> query.put(p, from.toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
      Map<TopicPartition, Long> remaining = new HashMap<>();
      for (TopicPartition p : partitions) {
        OffsetAndTimestamp start = starts.get(p);
        long startOffset = start == null ? end.get(p) : start.offset();
        consumer.seek(p, startOffset);
        if (startOffset < end.get(p)) {
          remaining.put(p, end.get(p));
        }
      }
      while (!remaining.isEmpty()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          TopicPartition p = new TopicPartition(r.topic(), r.partition());
          Long stop = remaining.get(p);
          if (stop == null || r.offset() >= stop) {
            continue;
          }
          accept(r, codec, history);
        }
        // Transaction markers occupy offsets that no record is returned for: use position().
        remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      }
    }
    return history.build();
  }

  private void accept(ConsumerRecord<String, byte[]> r, JsonCodec<MetricRecord> codec,
      History.Builder history) {
    if (r.key() == null) {
      history.skip();
      return;
    }
    try {
      MetricRecord m = codec.decode(r.value());
      if (m.series() != null && !m.series().equals(r.key())) {
        history.skip();
        return;
      }
      if (m.timestamp() >= from.toEpochMilli() && m.timestamp() < to.toEpochMilli()) {
        history.add(r.key(), new Observation(m.timestamp(), m.values()));
      }
    } catch (SchemaException e) {
      history.skip();
    }
  }
}
