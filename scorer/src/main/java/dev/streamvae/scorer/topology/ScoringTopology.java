package dev.streamvae.scorer.topology;

import dev.streamvae.schemas.JsonCodec;
import dev.streamvae.schemas.SchemaException;
import dev.streamvae.schemas.ScoreRecord;
import dev.streamvae.scorer.model.ModelSource;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the scoring topology. Every node and store has a fixed name, so changelog topics and
 * state survive redeploys.
 *
 * <pre>
 * metrics ─► score-windows (stores: series-windows, pending-scores) ─┬─► dead letters ─► DLQ
 *                                                                    ├─► shadow ─► shadow topic
 *                                                                    └─► scores ─► scores topic
 *                                                                          └─► alerts ─► alerts topic
 * </pre>
 */
public final class ScoringTopology {

  /** Per-series window store: persistent, changelogged. */
  public static final String WINDOW_STORE = "series-windows";
  /** Records accepted but not yet emitted: in memory, changelogged. */
  public static final String PENDING_STORE = "pending-scores";

  private ScoringTopology() {}

  /** The serde of score records on the scores and alerts topics. */
  public static Serde<ScoreRecord> scoreSerde() {
    JsonCodec<ScoreRecord> codec = JsonCodec.scoreRecord();
    return Serdes.serdeFrom((topic, value) -> value == null ? null : codec.encode(value),
        (topic, bytes) -> {
          if (bytes == null) {
            return null;
          }
          try {
            return codec.decode(bytes);
          } catch (SchemaException e) {
            throw new SerializationException(e.getMessage(), e);
          }
        });
  }

  /**
   * Adds the scoring topology to {@code builder} and builds it.
   *
   * @param builder a fresh builder
   * @param settings topics, batching and window capacity
   * @param models routes each series to a model name and gives its active (and shadow) model,
   *     read once per name per batch
   * @param listener told of every outcome, for metrics and the live page
   * @param clock stamps {@code scoredAt}
   */
  public static Topology build(StreamsBuilder builder, TopologySettings settings,
      ModelSource models, ScoringListener listener, Clock clock) {
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(WINDOW_STORE), Serdes.String(), Serdes.ByteArray())
        .withLoggingEnabled(Map.of())
        .withCachingEnabled());
    // Cached: a record queued and emitted within one commit interval never reaches the
    // changelog; one still queued at commit time does, in the same transaction as the offsets.
    builder.addStateStore(Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(PENDING_STORE), Serdes.Long(), Serdes.ByteArray())
        .withLoggingEnabled(Map.of())
        .withCachingEnabled());

    KStream<String, ScoringOutcome> outcomes = builder
        .stream(settings.inputTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray())
            .withName("metrics-source"))
        .process(() -> new ScoringProcessor(settings, models, listener, clock),
            Named.as("score-windows"), WINDOW_STORE, PENDING_STORE);

    Map<String, KStream<String, ScoringOutcome>> branches = outcomes
        .split(Named.as("outcome-"))
        .branch((key, outcome) -> outcome instanceof ScoringOutcome.DeadLetter,
            Branched.as("dead-letter"))
        .branch((key, outcome) -> outcome instanceof ScoringOutcome.Shadow,
            Branched.as("shadow"))
        .defaultBranch(Branched.as("score"));

    branches.get("outcome-dead-letter")
        .mapValues(outcome -> ((ScoringOutcome.DeadLetter) outcome).payload(),
            Named.as("dead-letter-payload"))
        .to(settings.deadLetterTopic(), Produced.with(Serdes.String(), Serdes.ByteArray())
            .withName("dead-letter-sink"));

    Serde<ScoreRecord> scoreSerde = scoreSerde();
    branches.get("outcome-shadow")
        .mapValues(outcome -> ((ScoringOutcome.Shadow) outcome).record(),
            Named.as("shadow-record"))
        .to(settings.shadowTopic(), Produced.with(Serdes.String(), scoreSerde)
            .withName("shadow-sink"));
    KStream<String, ScoreRecord> scores = branches.get("outcome-score")
        .mapValues(outcome -> ((ScoringOutcome.Scored) outcome).record(),
            Named.as("score-record"));
    scores.to(settings.scoresTopic(), Produced.with(Serdes.String(), scoreSerde)
        .withName("scores-sink"));
    scores.filter((key, score) -> Boolean.TRUE.equals(score.alert()), Named.as("alerts-only"))
        .to(settings.alertsTopic(), Produced.with(Serdes.String(), scoreSerde)
            .withName("alerts-sink"));
    return builder.build();
  }
}
